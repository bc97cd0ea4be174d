import { COLD_START_METRIC } from '../../lib/metrics-catalogue.ts';
import type { OutputCapture } from './output-capture.ts';

/** One CloudWatch embedded-metric-format blob as a function printed it. */
export interface EmfBlob {
  readonly namespace: string;
  readonly dimensions: readonly (readonly string[])[];
  /** Metric name to unit, as the blob declares them. */
  readonly units: Readonly<Record<string, string>>;
  /** Every top-level field: dimension values and metric values (a number or an array). */
  readonly fields: Readonly<Record<string, unknown>>;
}

interface CloudWatchMetrics {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string }[];
}

const isEmf = (line: Record<string, unknown>): boolean => {
  const aws = line._aws as { CloudWatchMetrics?: unknown } | undefined;
  return typeof aws === 'object' && aws !== null && Array.isArray(aws.CloudWatchMetrics);
};

/** The EMF blobs among printed JSON lines. */
export const emfBlobs = (lines: readonly Record<string, unknown>[]): EmfBlob[] =>
  lines.filter(isEmf).flatMap((line) => {
    const { _aws, ...fields } = line as { _aws: { CloudWatchMetrics: CloudWatchMetrics[] } };
    return _aws.CloudWatchMetrics.map((directive) => ({
      namespace: directive.Namespace,
      dimensions: directive.Dimensions,
      units: Object.fromEntries(directive.Metrics.map(({ Name, Unit }) => [Name, Unit])),
      fields,
    }));
  });

/** The data points of one metric across blobs, in order (an array value is several points). */
export const emfValues = (blobs: readonly EmfBlob[], name: string): number[] =>
  blobs.flatMap((blob) => {
    if (!(name in blob.units)) return [];
    const value = blob.fields[name];
    return (Array.isArray(value) ? value : [value]).map(Number);
  });

/** Their sum: what CloudWatch's Sum statistic would show. */
export const emfTotal = (blobs: readonly EmfBlob[], name: string): number =>
  emfValues(blobs, name).reduce((sum, value) => sum + value, 0);

/** Whether a blob is Powertools' cold start: ColdStart comes in a blob of its own. */
const isColdStart = (blob: EmfBlob): boolean => COLD_START_METRIC in blob.units;

/** The cold-start blobs among these. */
export const coldStartBlobs = (blobs: readonly EmfBlob[]): EmfBlob[] => blobs.filter(isColdStart);

/** The blobs of the invocation's own metrics: all but the cold start's. */
export const applicationBlobs = (blobs: readonly EmfBlob[]): EmfBlob[] =>
  blobs.filter((blob) => !isColdStart(blob));

/** Each metric of the invocation's own blobs, summed: what CloudWatch's Sum would show. */
export const emfTotals = (blobs: readonly EmfBlob[]): Record<string, number> => {
  const names = new Set(applicationBlobs(blobs).flatMap((blob) => Object.keys(blob.units)));
  return Object.fromEntries([...names].map((name) => [name, emfTotal(blobs, name)]));
};

/** Runs `invoke` and returns its answer with the EMF blobs and log lines printed meanwhile. */
export const emfDuring = async <T>(
  output: OutputCapture,
  invoke: () => Promise<T>,
): Promise<{ answer: T; blobs: EmfBlob[]; logs: Record<string, unknown>[] }> => {
  const from = output.lines().length;
  const answer = await invoke();
  const lines = output.lines().slice(from);
  // Powertools Logger's lines, beside the blobs: each has a level.
  return { answer, blobs: emfBlobs(lines), logs: lines.filter((line) => 'level' in line) };
};
