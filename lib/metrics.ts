import type { Log } from './logger.ts';
import { METRICS, type MetricName } from './metrics-catalogue.ts';

/** The namespace of the functions' metrics (lib/metrics-catalogue.ts lists them). */
export { METRICS_NAMESPACE } from './metrics-catalogue.ts';

/** A unit the catalogue gives a metric. */
type MetricUnit = (typeof METRICS)[MetricName];

/** The catalogue's metrics in `unit`. */
type MetricIn<Unit extends MetricUnit> = {
  [Name in MetricName]: (typeof METRICS)[Name] extends Unit ? Name : never;
}[MetricName];

/** Metrics in Count. */
export type CountMetric = MetricIn<'Count'>;

/** Metrics in Milliseconds. */
export type MillisecondsMetric = MetricIn<'Milliseconds'>;

/** What the use cases record; the functions flush it once per invocation. */
export interface MetricsPort {
  /** Adds one data point (1 unless said). */
  count(name: CountMetric, value?: number): void;
  milliseconds(name: MillisecondsMetric, value: number): void;
}

/** The part of Powertools Metrics (or any EMF writer) the adapter needs. */
export interface MetricSink {
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
}

/**
 * The port over an EMF writer, each metric in the catalogue's unit. A value that is not a finite
 * number is dropped rather than thrown: a metric must never turn a finish that SigningHub did
 * into a redelivery.
 */
export const metricsTo = (sink: MetricSink): MetricsPort => {
  const add = (name: MetricName, value: number) => {
    if (Number.isFinite(value)) sink.addMetric(name, METRICS[name], value);
  };
  return { count: (name, value = 1) => add(name, value), milliseconds: add };
};

/** For a command run by hand (ops/), which publishes no metrics; never a function's. */
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
