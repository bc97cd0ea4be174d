import { type MetricSink, type MetricsPort, metricsTo } from '../metrics.ts';
import { METRICS } from '../metrics-catalogue.ts';

/** What the archive records: the catalogue's counts, and the bytes it stored (ArchiveBytes). */
export interface ArchiveMetrics extends MetricsPort {
  /** One ArchiveBytes data point per document stored, its size in bytes. */
  archivedBytes(bytes: number): void;
}

/** The port over an EMF writer, as metricsTo makes it, with the archive's metric in Bytes. */
export const archiveMetricsTo = (sink: MetricSink): ArchiveMetrics => ({
  ...metricsTo(sink),
  archivedBytes: (bytes) => {
    if (Number.isFinite(bytes)) sink.addMetric('ArchiveBytes', METRICS.ArchiveBytes, bytes);
  },
});
