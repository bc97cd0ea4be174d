/** What the bench asks of a warm worker: run one slice of a round of a workload, or stop. */
export type WorkerCommand =
  | {
      readonly type: 'round';
      readonly firstPackageId: number;
      /** Units of work: signing events, callback requests, stream records or reconcile runs. */
      readonly events: number;
      /** Units per invocation. */
      readonly batchSize: number;
      /** The round's last slice for this worker: end it with a scavenge, measured. */
      readonly collect: boolean;
    }
  /** A full collection now, between rounds, outside any measurement. */
  | { readonly type: 'collect' }
  | { readonly type: 'stop' };

export interface RoundReport {
  readonly type: 'round';
  /** Units handled: signing events (finish), requests (callback), records (publish), runs (reconcile). */
  readonly events: number;
  readonly invocations: number;
  readonly wallMs: number;
  /** User + system CPU of the worker process during the round, all its threads. */
  readonly cpuMicros: number;
  /** Events handed back to SQS or the stream, callback answers other than 200, failed runs. */
  readonly failures: number;
  /** Per invocation, for the latency percentiles. */
  readonly latenciesMs: readonly number[];
  /** Every byte the handler printed to stdout and stderr (what CloudWatch Logs would ingest). */
  readonly logBytes: number;
  readonly logLines: number;
  /** CloudWatch EMF blobs (`{"_aws":…}` lines) the handler printed, and their bytes. */
  readonly emfBlobs: number;
  readonly emfBytes: number;
  /** The collector's pauses during the round (its closing scavenge included), and their time. */
  readonly gcMinor: number;
  readonly gcMajor: number;
  readonly gcMs: number;
  /** The round's start and end on the monotonic clock V8's CPU profiles use, in µs. */
  readonly startedAtMicros: number;
  readonly endedAtMicros: number;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'collected' }
  | RoundReport
  | { readonly type: 'error'; readonly message: string };

/** The workloads a worker can host; each is one handler module, kept warm across rounds. */
export const WORKLOADS = {
  'finish-ours': '../functions/finish.ts',
  'finish-floor': './floor/floor-finish.ts',
  'finish-peer': './peer/peer-finish.ts',
  callback: '../functions/callback.ts',
  publish: '../functions/publish.ts',
  reconcile: '../functions/reconcile.ts',
} as const;

export type Workload = keyof typeof WORKLOADS;
