import type { ArchiveSoakOptions } from './archive-workload.ts';
import type { WorkloadOptions } from './workload.ts';

export interface SoakOptions extends WorkloadOptions {
  readonly seed: number;
  /** Separately loaded finish modules: warm execution environments running side by side. */
  readonly instances: number;
  readonly batchSize: number;
  /** The finish function's timeout: the Lambda clock each invocation gets. */
  readonly lambdaTimeoutMs: number;
  readonly visibilityTimeoutMs: number;
  /**
   * The longest an open circuit's hand-back (ChangeMessageVisibility) keeps a message away. The
   * function's ladder (5 min, 15 min, ... 6 h 45) is compressed like the visibility timeout and
   * capped here, so a package SigningHub keeps failing dead-letters within the run.
   */
  readonly handBackCeilingMs: number;
  readonly maxReceiveCount: number;
  readonly signingHubTimeoutMs: number;
  /** RECONCILE_AFTER_SECONDS of the scheduled reconciler during the run. */
  readonly reconcileAfterSeconds: number;
  readonly reconcileEveryMs: number;
  /** Where DynamoDB Local keeps its files; a RAM disk when there is one (it is 2-3x faster). */
  readonly dbDir?: string | undefined;
  readonly callbackLossRate: number;
  readonly callbackDuplicateRate: number;
  readonly callbackMaxDelayMs: number;
  /** Show the functions' own log lines (they are scanned either way). */
  readonly showLogs: boolean;
  /** A file that keeps every log line of the run. */
  readonly logFile?: string | undefined;
  /** Progress lines on stderr (scanned like the logs). */
  readonly showProgress: boolean;
  /** Signing events put on the queue a second, as they would arrive; undefined: all at once. */
  readonly eventsPerSecond: number | undefined;
  /** The archive of every completed package, fed by the completion events. */
  readonly archive: ArchiveSoakOptions;
}

/**
 * The deployed timings compressed so 10,000 events take minutes: the Lambda clock gives each
 * invocation 20 s (60 s deployed) and the visibility timeout is 20 s (360 s), SigningHub gets
 * 1 s an attempt (10 s) and the reconciler looks at packages quiet for 20 s (900 s). An open
 * circuit's hand-back (5 minutes and up, ChangeMessageVisibility) is compressed like the
 * visibility timeout, up to 40 s; the circuit's 30 s cool-down is the function's own and is not.
 * The function keeps more than DynamoDB Local's restart (2-7 s here) to record what it did.
 * acme's host is down for a minute from 60% of the arrivals, well after DynamoDB's restart at
 * 50%: the two together would measure how a shared fault and an outage add up, not the outage.
 *
 * The archive's function gets 20 s (900 s deployed) and ArchiveQueue's visibility timeout is
 * 25 s (5,400 s deployed: six times the timeout, which the soak cannot wait for); its packages have
 * 1 to 3 documents, mostly small, 2% over 5 MiB.
 *
 * SigningHub's 1 s: the circuit counts a timeout as the host failing, and the soak runs every
 * function, SigningHub and the harness in one process, whose event loop stalls for up to 600 ms
 * beside other work; with 300 ms an attempt those stalls alone opened every tenant's circuit.
 */
export const DEFAULT_SOAK_OPTIONS: SoakOptions = Object.freeze({
  events: 10_000,
  packages: undefined,
  duplicateRate: 0.05,
  concurrentDuplicateShare: 0.4,
  malformedRate: 0.005,
  transientFaultRate: 0.1,
  finalFaultRate: 0.01,
  outagePackages: 2,
  workflowFaultRate: 0.05,
  declineRate: 0.01,
  deleteRate: 0.005,
  prematureCallbackRate: 0.05,
  hostileCallbacks: 20,
  tokenRevocations: [0.3, 0.7],
  restartDynamoDbAt: 0.5,
  eventBridgeRefusals: [0.2, 0.6, 0.9],
  tenantOutage: { tenant: 'acme', at: 0.6, forMs: 60_000 },
  unknownTenantEvents: 5,
  eventsPerSecond: 30,
  seed: 20_261_127,
  instances: 4,
  batchSize: 10,
  lambdaTimeoutMs: 20_000,
  visibilityTimeoutMs: 20_000,
  handBackCeilingMs: 40_000,
  maxReceiveCount: 5,
  signingHubTimeoutMs: 1_000,
  reconcileAfterSeconds: 20,
  reconcileEveryMs: 5_000,
  callbackLossRate: 0.15,
  callbackDuplicateRate: 0.15,
  callbackMaxDelayMs: 1_500,
  showLogs: false,
  showProgress: false,
  archive: {
    instances: 4,
    lambdaTimeoutMs: 20_000,
    visibilityTimeoutMs: 25_000,
    duplicateRate: 0.1,
    concurrentDuplicateShare: 0.3,
    largeDocumentRate: 0.02,
    unavailableRate: 0.03,
    stallRate: 0.02,
    cutRate: 0.01,
    resumeRate: 0.03,
    finalFaultRate: 0.01,
  },
});
