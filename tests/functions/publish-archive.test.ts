import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbArchiveStore } from '../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import type { ArchivedDocument } from '../../lib/store/items.ts';
import { startForFile } from '../support/file-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { startPublishStack } from '../support/publish-stack.ts';

const { stack } = await startForFile(() => startPublishStack());
const { table, eventBridge, pump } = stack;
const archive = new DynamoDbArchiveStore(table.table);
const newPackage = packageIds(9_500);
const BUCKET = 'signinghub-finish-test-archive';

beforeEach(() => pump.drain());

const eventsFor = (packageId: number) =>
  eventBridge.events.filter(
    (event) => (event.detail as { packageId: number }).packageId === packageId,
  );

const documentOf = (
  packageId: number,
  documentId: number,
  tenant = 'default',
): ArchivedDocument => ({
  documentId,
  name: `Vertrag ${documentId}.pdf`,
  key: `${tenant}/${packageId}/${documentId}.pdf`,
  bytes: 5_242_881 + documentId,
  sha256: `${documentId}`.padStart(64, '0'),
});

const completed = async (packageId: number, packages = table.packages) => {
  await packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    new Date(),
  );
};

describe('archive events from the table’s stream', () => {
  it('sends one SigningPackageArchived when a package is archived, with where its documents are', async () => {
    const packageId = newPackage();
    await completed(packageId);
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    await archive.addDocument(packageId, documentOf(packageId, 2), 1, BUCKET);
    const archivedAt = new Date('2026-12-01T10:00:00.000Z');
    await archive.markArchived(packageId, 2, BUCKET, archivedAt);
    // Repeated: the archive's writes that a second delivery would try, and a later callback.
    await archive.markArchived(packageId, 2, BUCKET, new Date());
    await archive.addDocument(packageId, documentOf(packageId, 3), 2, BUCKET);
    await table.packages.recordCallback(packageId, new Date());
    await pump.drain();

    expect(eventsFor(packageId).map((event) => event.detailType)).toEqual([
      'SigningPackageCompleted',
      'SigningPackageArchived',
    ]);
    expect(eventsFor(packageId)[1]).toMatchObject({
      busName: 'signing-events',
      source: 'signinghub.finish',
      detail: {
        packageId,
        bucket: BUCKET,
        documents: [documentOf(packageId, 1), documentOf(packageId, 2)],
        at: archivedAt.toISOString(),
      },
    });
  });

  it('sends one SigningPackageArchiveFailed with the error, and SigningPackageArchived when it is archived after all', async () => {
    const packageId = newPackage();
    await completed(packageId);
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    const failedAt = new Date('2026-12-01T11:00:00.000Z');
    const error = { httpStatus: 403, message: 'document 2: Document does not belong to user' };
    await archive.markFailed(packageId, error, failedAt);
    await pump.drain();
    expect(eventsFor(packageId).slice(1)).toEqual([
      expect.objectContaining({
        detailType: 'SigningPackageArchiveFailed',
        detail: { packageId, error, at: failedAt.toISOString() },
      }),
    ]);

    await archive.addDocument(packageId, documentOf(packageId, 2), 1, BUCKET);
    await archive.markArchived(packageId, 2, BUCKET, new Date());
    await pump.drain();
    expect(eventsFor(packageId).map((event) => event.detailType)).toEqual([
      'SigningPackageCompleted',
      'SigningPackageArchiveFailed',
      'SigningPackageArchived',
    ]);
  });

  it('sends SigningPackageArchived again for an operator’s forced archive, once', async () => {
    const packageId = newPackage();
    await completed(packageId);
    await archive.markArchived(packageId, 0, BUCKET, new Date('2026-12-01T10:00:00.000Z'));
    await archive.restartArchive(packageId, 'forced-request');
    await archive.markArchived(packageId, 0, BUCKET, new Date('2026-12-02T10:00:00.000Z'));
    await archive.restartArchive(packageId, 'forced-request');
    await pump.drain();
    expect(
      eventsFor(packageId).map((event) => [event.detailType, (event.detail as { at: string }).at]),
    ).toEqual([
      ['SigningPackageCompleted', expect.any(String)],
      ['SigningPackageArchived', '2026-12-01T10:00:00.000Z'],
      ['SigningPackageArchived', '2026-12-02T10:00:00.000Z'],
    ]);
  });

  it('names a tenant’s package’s tenant, and keys its documents under it', async () => {
    const packageId = newPackage();
    await completed(packageId, new DynamoDbPackageStore(table.table, 'acme'));
    const acme = new DynamoDbArchiveStore(table.table, 'acme');
    await acme.addDocument(packageId, documentOf(packageId, 1, 'acme'), 0, BUCKET);
    await acme.markArchived(packageId, 1, BUCKET, new Date());
    await pump.drain();
    expect(eventsFor(packageId)[1]).toMatchObject({
      detailType: 'SigningPackageArchived',
      detail: { packageId, tenant: 'acme', documents: [{ key: `acme/${packageId}/1.pdf` }] },
    });
  });
});
