/** What the bench asks of a warm worker: run one round of a workload, or stop. */
export type WorkerCommand =
  | {
      readonly type: 'round';
      readonly firstPackageId: number;
      readonly events: number;
      readonly batchSize: number;
    }
  | { readonly type: 'stop' };

export interface RoundReport {
  readonly type: 'round';
  /** Signing events (finish) or requests (callback) handled. */
  readonly events: number;
  readonly invocations: number;
  readonly wallMs: number;
  /** User + system CPU of the worker process during the round. */
  readonly cpuMicros: number;
  /** Events handed back to SQS, or callback answers other than 200. */
  readonly failures: number;
  /** Per invocation, for the callback's latency percentiles. */
  readonly latenciesMs: readonly number[];
  /** CloudWatch EMF blobs (`{"_aws":…}` lines) the handler printed during the round. */
  readonly emfBlobs: number;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | RoundReport
  | { readonly type: 'error'; readonly message: string };

/** The workloads a worker can host; each is one handler module, kept warm across rounds. */
export const WORKLOADS = {
  'finish-ours': '../functions/finish.ts',
  'finish-floor': './floor/floor-finish.ts',
  'finish-peer': './peer/peer-finish.ts',
  callback: '../functions/callback.ts',
} as const;

export type Workload = keyof typeof WORKLOADS;
