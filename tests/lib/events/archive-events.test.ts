import { describe, expect, it } from 'vitest';
import {
  publishCompletionEvents,
  publishStackEvents,
} from '../../../lib/events/completion-events.ts';
import { silentLog } from '../../../lib/logger.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { change, eventBridge, type Image, packageImage } from './stream-fixture.ts';

const DOCUMENT = {
  M: {
    documentId: { N: '11' },
    name: { S: 'Contract.pdf' },
    key: { S: 'default/1/11.pdf' },
    bytes: { N: '5242881' },
    sha256: { S: 'ab'.repeat(32) },
  },
};

/** A COMPLETED package's item with its archive's attributes. */
const archived = (packageId: number, at = '2026-12-01T10:00:00.000Z', extra: Image = {}) =>
  packageImage(packageId, 'COMPLETED', {
    archiveStatus: { S: 'ARCHIVED' },
    archivedAt: { S: at },
    archiveBucket: { S: 'archive-bucket' },
    documents: { L: [DOCUMENT] },
    ...extra,
  });

const failed = (packageId: number, at = '2026-12-01T10:00:00.000Z', extra: Image = {}) =>
  packageImage(packageId, 'COMPLETED', {
    archiveStatus: { S: 'FAILED' },
    archiveFailedAt: { S: at },
    archiveError: { M: { httpStatus: { N: '403' }, message: { S: 'document 12: not yours' } } },
    documents: { L: [DOCUMENT] },
    ...extra,
  });

const publish = async (...records: ReturnType<typeof change>[]) => {
  const bus = eventBridge();
  const metrics = recordMetrics();
  const result = await publishStackEvents(
    records,
    { eventBridge: bus.client, busName: 'signing', metrics },
    silentLog,
  );
  return { entries: bus.entries, metrics, result };
};

describe('archive events', () => {
  it('sends SigningPackageArchived with where each document is, when a package becomes ARCHIVED', async () => {
    const { entries, metrics } = await publish(
      change('1', archived(1), packageImage(1, 'COMPLETED', { documents: { L: [DOCUMENT] } })),
    );
    expect(entries).toEqual([
      {
        EventBusName: 'signing',
        Source: 'signinghub.finish',
        DetailType: 'SigningPackageArchived',
        Detail: {
          packageId: 1,
          bucket: 'archive-bucket',
          documents: [
            {
              documentId: 11,
              name: 'Contract.pdf',
              key: 'default/1/11.pdf',
              bytes: 5_242_881,
              sha256: 'ab'.repeat(32),
            },
          ],
          at: '2026-12-01T10:00:00.000Z',
        },
      },
    ]);
    expect(metrics.total('CompletionEventPublished')).toBe(1);
  });

  it('sends SigningPackageArchiveFailed with the error, when a package becomes FAILED', async () => {
    const { entries } = await publish(change('1', failed(1), packageImage(1, 'COMPLETED')));
    expect(entries).toEqual([
      expect.objectContaining({
        DetailType: 'SigningPackageArchiveFailed',
        Detail: {
          packageId: 1,
          error: { httpStatus: 403, message: 'document 12: not yours' },
          at: '2026-12-01T10:00:00.000Z',
        },
      }),
    ]);
  });

  it('sends one event per transition: FAILED then ARCHIVED, an archive forced again, a failure again', async () => {
    const later = '2026-12-02T10:00:00.000Z';
    const { entries } = await publish(
      change('1', archived(1), failed(1)),
      change('2', archived(2, later), archived(2)),
      change('3', failed(3, later), failed(3)),
      change('4', failed(4), archived(4)),
    );
    expect(
      entries.map((entry) => [entry.DetailType, (entry.Detail as { packageId: number }).packageId]),
    ).toEqual([
      ['SigningPackageArchived', 1],
      ['SigningPackageArchived', 2],
      ['SigningPackageArchiveFailed', 3],
      ['SigningPackageArchiveFailed', 4],
    ]);
  });

  it('sends nothing for a write that changed no archive status', async () => {
    const { entries } = await publish(
      // A document recorded, a later callback on an archived package, a repeated record.
      change(
        '1',
        packageImage(1, 'COMPLETED', { documents: { L: [DOCUMENT] } }),
        packageImage(1, 'COMPLETED'),
      ),
      change('2', archived(2, undefined, { callbacks: { N: '3' } }), archived(2)),
      change('3', failed(3), failed(3)),
      change('4', archived(4), archived(4), 'REMOVE'),
      // A removal, even one that would read as a transition.
      change('8', archived(8), packageImage(8, 'COMPLETED'), 'REMOVE'),
      change('5', { ...archived(5), sk: { S: 'FINISH#-' } }),
      change('6', { ...archived(6), pk: { S: 'REJECTED#x' } }),
      change(
        '7',
        packageImage(7, 'COMPLETED', { archiveStatus: { S: 'LATER' } }),
        packageImage(7, 'COMPLETED'),
      ),
    );
    expect(entries).toEqual([]);
  });

  it('names the tenant for a tenant other than default', async () => {
    const acme = (packageId: number): Image => ({ pk: { S: `TENANT#acme#PACKAGE#${packageId}` } });
    const { entries } = await publish(
      change('1', archived(5, undefined, acme(5)), packageImage(5, 'COMPLETED', acme(5))),
      change('2', failed(6, undefined, acme(6)), packageImage(6, 'COMPLETED', acme(6))),
    );
    expect(entries.map((entry) => [entry.DetailType, entry.Detail])).toEqual([
      ['SigningPackageArchived', expect.objectContaining({ packageId: 5, tenant: 'acme' })],
      ['SigningPackageArchiveFailed', expect.objectContaining({ packageId: 6, tenant: 'acme' })],
    ]);
  });

  it('sends the completion event, not an archive event, for the write that completed a package', async () => {
    const { entries } = await publish(
      change('1', packageImage(1, 'COMPLETED'), packageImage(1, 'IN_PROGRESS')),
    );
    expect(entries.map((entry) => entry.DetailType)).toEqual(['SigningPackageCompleted']);
  });

  it('leaves archive events out of the completion events alone (npm run republish)', async () => {
    const bus = eventBridge();
    await publishCompletionEvents(
      [change('1', archived(1), packageImage(1, 'COMPLETED'))],
      { eventBridge: bus.client, busName: 'signing', metrics: recordMetrics() },
      silentLog,
    );
    expect(bus.entries).toEqual([]);
  });

  it('stops at an archive event refused, so the stream retries from it', async () => {
    const bus = eventBridge([{ FailedEntryCount: 1 }]);
    const result = await publishStackEvents(
      [change('7', archived(1), packageImage(1, 'COMPLETED')), change('8', archived(2))],
      { eventBridge: bus.client, busName: 'signing', metrics: recordMetrics() },
      silentLog,
    );
    expect(result).toEqual({ failedAt: '7' });
    expect(bus.entries).toHaveLength(1);
  });
});
