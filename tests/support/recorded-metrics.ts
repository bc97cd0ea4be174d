import { type MetricsPort, metricsTo } from '../../lib/metrics.ts';
import type { METRICS, MetricName } from '../../lib/metrics-catalogue.ts';

export interface RecordedPoint {
  readonly name: MetricName;
  readonly unit: (typeof METRICS)[MetricName];
  readonly value: number;
}

/** A metrics port that keeps what it was given, through the same adapter the functions use. */
export interface RecordedMetrics extends MetricsPort {
  readonly points: readonly RecordedPoint[];
  /** The data points of one metric, in order. */
  values(name: MetricName): number[];
  /** Their sum: what CloudWatch's Sum statistic would show. */
  total(name: MetricName): number;
}

export const recordMetrics = (): RecordedMetrics => {
  const points: RecordedPoint[] = [];
  const port = metricsTo({
    addMetric: (name, unit, value) => {
      points.push({ name: name as MetricName, unit, value });
    },
  });
  const values = (name: MetricName) => points.filter((p) => p.name === name).map((p) => p.value);
  return {
    ...port,
    points,
    values,
    total: (name) => values(name).reduce((sum, value) => sum + value, 0),
  };
};
