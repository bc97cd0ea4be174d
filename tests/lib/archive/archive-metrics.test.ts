import { describe, expect, it } from 'vitest';
import { archiveMetricsTo } from '../../../lib/archive/archive-metrics.ts';

describe('archiveMetricsTo', () => {
  it('records a document’s size in bytes, and nothing for a size that is no finite number', () => {
    const points: [string, string, number][] = [];
    const metrics = archiveMetricsTo({
      addMetric: (name, unit, value) => points.push([name, unit, value]),
    });
    metrics.archivedBytes(70_000);
    metrics.archivedBytes(Number.NaN);
    metrics.archivedBytes(Number.POSITIVE_INFINITY);
    metrics.count('DocumentsArchived');
    expect(points).toEqual([
      ['ArchiveBytes', 'Bytes', 70_000],
      ['DocumentsArchived', 'Count', 1],
    ]);
  });
});
