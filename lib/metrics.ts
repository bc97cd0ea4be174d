import type { Log } from './logger.ts';

/**
 * The functions' metrics: CloudWatch embedded metric format (EMF) in this namespace, with one
 * dimension, `service` (POWERTOOLS_SERVICE_NAME). The names are a contract: the alarms and the
 * dashboard read them. docs/interface.md says when each one is emitted.
 */
export const METRICS_NAMESPACE = 'SigningHubFinish';

/** Metrics in Count. */
export type CountMetric =
  // finish: what became of each message (exactly one of these five per message)
  | 'FinishSucceeded'
  | 'FinishFailed'
  | 'FinishRetrying'
  | 'FinishSkipped'
  | 'SigningEventRejected'
  // finish: one per finish request sent, by SigningHub's answer
  | 'FinishResponse2xx'
  | 'FinishResponse4xx'
  | 'FinishResponse5xx'
  | 'FinishResponseNone'
  // finish: requests the settling delivery sent, one data point per SUCCEEDED/FAILED settlement
  | 'FinishRequests'
  // every function that talks to SigningHub: one per authentication request sent
  | 'SigningHubAuthentications'
  // callback
  | 'CallbackAccepted'
  | 'CallbackRejected'
  | 'CallbackUnauthorised'
  // callback and reconcile: a confirmation that made the package final
  | 'PackageCompleted'
  | 'PackageDeclined'
  | 'PackageDeleted'
  // reconcile: one data point per run each
  | 'ReconcileChecked'
  | 'ReconcileConfirmed'
  // publish
  | 'CompletionEventPublished'
  | 'CompletionEventRefused';

/** Metrics in Milliseconds. */
export type MillisecondsMetric = 'SigningEventToFinish';

/** What the use cases record; the functions flush it once per invocation. */
export interface MetricsPort {
  /** Adds one data point (1 unless said). */
  count(name: CountMetric, value?: number): void;
  milliseconds(name: MillisecondsMetric, value: number): void;
}

/** The part of Powertools Metrics (or any EMF writer) the adapter needs. */
export interface MetricSink {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
}

/**
 * The port over an EMF writer. A value that is not a finite number is dropped rather than
 * thrown: a metric must never turn a finish that SigningHub did into a redelivery.
 */
export const metricsTo = (sink: MetricSink): MetricsPort => ({
  count: (name, value = 1) => {
    if (Number.isFinite(value)) sink.addMetric(name, 'Count', value);
  },
  milliseconds: (name, value) => {
    if (Number.isFinite(value)) sink.addMetric(name, 'Milliseconds', value);
  },
});

/** For a command run by hand (local/), which publishes no metrics; never a function's. */
export const NO_METRICS: MetricsPort = Object.freeze({
  count: () => {},
  milliseconds: () => {},
});

const NOTHING_TO_PUBLISH = 'No application metrics to publish';

/**
 * Where Powertools Metrics' own complaints go: the function's log, as JSON lines. "Nothing to
 * publish" is normal here (a stream batch without a final package, a HEAD) and goes to debug.
 */
export const metricsWarningsTo = (log: Log) => {
  const text = (content: unknown[]) => content.map(String).join(' ');
  return {
    debug: (...content: unknown[]) => log.debug(text(content)),
    info: (...content: unknown[]) => log.info(text(content)),
    warn: (...content: unknown[]) => {
      const message = text(content);
      if (message.startsWith(NOTHING_TO_PUBLISH)) log.debug(message);
      else log.warn(message);
    },
    error: (...content: unknown[]) => log.error(text(content)),
  };
};
