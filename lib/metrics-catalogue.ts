// TypeScript, not JSON: `as const` keeps each name a literal type, and Node 24 require()s it from infra/*.cjs (require(esm), type stripping).
/**
 * The functions' metrics, written once: CloudWatch embedded metric format (EMF) in this namespace,
 * with one dimension, `service` (POWERTOOLS_SERVICE_NAME). The names are a contract: lib/metrics.ts
 * writes them, infra/ alarms on them and draws them. docs/interface.md says when each is emitted.
 * This module imports nothing, so that infra/ can load it under `serverless package`.
 */
export const METRICS_NAMESPACE = 'SigningHubFinish';

/** The one dimension of every metric here: the functions' POWERTOOLS_SERVICE_NAME. */
export const SERVICE_DIMENSION = 'service';

/** Each metric the functions write, with its unit. */
export const METRICS = {
  // finish: what became of each message (exactly one of these five per message)
  FinishSucceeded: 'Count',
  FinishFailed: 'Count',
  FinishRetrying: 'Count',
  FinishSkipped: 'Count',
  SigningEventRejected: 'Count',
  // finish: one per finish request sent, by SigningHub's answer
  FinishResponse2xx: 'Count',
  FinishResponse4xx: 'Count',
  FinishResponse5xx: 'Count',
  FinishResponseNone: 'Count',
  // finish: requests the settling delivery sent, one data point per SUCCEEDED/FAILED settlement
  FinishRequests: 'Count',
  // finish: from the signing event's occurredAt to the settlement
  SigningEventToFinish: 'Milliseconds',
  // every function that talks to SigningHub: one per authentication request sent
  SigningHubAuthentications: 'Count',
  // every function that reads tenant settings: a client certificate read that expires within 30 days
  ClientCertificateExpiring: 'Count',
  // finish, callback, reconcile: work handed back or skipped because a tenant has no usable settings
  TenantUnavailable: 'Count',
  // finish: a message handed back at once because its tenant's circuit is open
  TenantCircuitOpen: 'Count',
  // callback: a lookup of a tenant name not yet known refused past the per-minute bound
  TenantLookupsThrottled: 'Count',
  // callback
  CallbackAccepted: 'Count',
  CallbackRejected: 'Count',
  CallbackUnauthorised: 'Count',
  // callback and reconcile: a confirmation that made the package final
  PackageCompleted: 'Count',
  PackageDeclined: 'Count',
  PackageDeleted: 'Count',
  // reconcile: one data point per run each
  ReconcileChecked: 'Count',
  ReconcileConfirmed: 'Count',
  // publish: every event it sends (completion and archive events)
  CompletionEventPublished: 'Count',
  CompletionEventRefused: 'Count',
  // archive: per document stored in the bucket, and its bytes
  DocumentsArchived: 'Count',
  ArchiveBytes: 'Bytes',
  // archive: per package made ARCHIVED, and per package made FAILED
  PackageArchived: 'Count',
  ArchiveFailed: 'Count',
} as const;

export type MetricName = keyof typeof METRICS;

/**
 * Powertools' own metric, one data point on each function's first invocation, in the same
 * namespace with a second dimension, `function_name`, beside `service`.
 */
export const COLD_START_METRIC = 'ColdStart';
