import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArchiveStore } from '../../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../../lib/store/dynamodb-package-store.ts';
import type { ArchivedDocument } from '../../../lib/store/items.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { packageIds } from '../../support/package-ids.ts';
import { itemAt } from '../../support/table-items.ts';

let table: TestTable;
let archive: DynamoDbArchiveStore;
beforeAll(async () => {
  table = await createTestTable();
  archive = new DynamoDbArchiveStore(table.table);
});
afterAll(() => table.drop());

const newPackage = packageIds(700);
const now = new Date('2026-12-01T10:00:00Z');
const BUCKET = 'archive-bucket';

const documentOf = (packageId: number, documentId: number): ArchivedDocument => ({
  documentId,
  name: `Document ${documentId}.pdf`,
  key: `default/${packageId}/${documentId}.pdf`,
  bytes: 1_000 + documentId,
  sha256: 'ab'.repeat(32),
});

const completed = async (packageId: number, packages = table.packages) => {
  await packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    now,
  );
  return packageId;
};

describe('DynamoDbArchiveStore', () => {
  it('reads a package without an archive, and nothing for one the table lacks', async () => {
    const packageId = await completed(newPackage());
    expect(await archive.getArchive(packageId)).toEqual({
      packageId,
      status: 'COMPLETED',
      archiveStatus: undefined,
      archivedAt: undefined,
      documents: [],
      archiveError: undefined,
    });
    expect(await archive.getArchive(newPackage())).toBeUndefined();
  });

  it('appends each document once, only to the list it was read as', async () => {
    const packageId = await completed(newPackage());
    // A list read with a document in it, where the package has none yet: nothing recorded.
    expect(await archive.addDocument(packageId, documentOf(packageId, 1), 1, BUCKET)).toBe(false);
    expect(await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET)).toBe(true);
    // A second delivery that read the list empty too: its document is not recorded twice.
    expect(await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET)).toBe(false);
    expect(await archive.addDocument(packageId, documentOf(packageId, 2), 2, BUCKET)).toBe(false);
    expect(await archive.addDocument(packageId, documentOf(packageId, 2), 1, BUCKET)).toBe(true);
    expect((await archive.getArchive(packageId))?.documents).toEqual([
      documentOf(packageId, 1),
      documentOf(packageId, 2),
    ]);
    const item = await itemAt(table, `PACKAGE#${packageId}`, 'PACKAGE');
    expect(item).toMatchObject({
      archiveBucket: BUCKET,
      documents: [
        {
          documentId: 1,
          name: 'Document 1.pdf',
          key: `default/${packageId}/1.pdf`,
          bytes: 1_001,
          sha256: 'ab'.repeat(32),
        },
        expect.objectContaining({ documentId: 2 }),
      ],
    });
    expect(item?.archiveStatus).toBeUndefined();
  });

  it('records nothing for a package that is not COMPLETED or not in the table', async () => {
    const open = newPackage();
    await table.packages.markInProgress(open, now);
    const declined = newPackage();
    await table.packages.recordConfirmation(
      declined,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      now,
    );
    for (const packageId of [open, declined, newPackage()]) {
      expect(await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET)).toBe(false);
      expect(await archive.markArchived(packageId, 0, BUCKET, now)).toBe(false);
      expect(await archive.markFailed(packageId, { message: 'x' }, now)).toBe(false);
    }
    expect(await itemAt(table, `PACKAGE#${open}`, 'PACKAGE')).not.toHaveProperty('documents');
  });

  it('archives once, only with all the documents it recorded', async () => {
    const packageId = await completed(newPackage());
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    expect(await archive.markArchived(packageId, 2, BUCKET, now)).toBe(false);
    expect(await archive.markArchived(packageId, 1, BUCKET, now)).toBe(true);
    expect(await archive.markArchived(packageId, 1, BUCKET, new Date())).toBe(false);
    expect(await archive.addDocument(packageId, documentOf(packageId, 2), 1, BUCKET)).toBe(false);
    expect(await archive.markFailed(packageId, { message: 'late' }, now)).toBe(false);
    expect(await archive.getArchive(packageId)).toMatchObject({
      archiveStatus: 'ARCHIVED',
      archivedAt: now.toISOString(),
      documents: [documentOf(packageId, 1)],
      archiveError: undefined,
    });
  });

  it('archives a package without documents with an empty list', async () => {
    const packageId = await completed(newPackage());
    expect(await archive.markArchived(packageId, 1, BUCKET, now)).toBe(false);
    expect(await archive.markArchived(packageId, 0, BUCKET, now)).toBe(true);
    expect(await itemAt(table, `PACKAGE#${packageId}`, 'PACKAGE')).toMatchObject({
      archiveStatus: 'ARCHIVED',
      documents: [],
      archiveBucket: BUCKET,
    });
  });

  it('fails keeping the documents stored, and archives later over FAILED without its error', async () => {
    const packageId = await completed(newPackage());
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    const failedAt = new Date('2026-12-01T10:05:00Z');
    expect(
      await archive.markFailed(packageId, { httpStatus: 403, message: 'not yours' }, failedAt),
    ).toBe(true);
    expect(await archive.getArchive(packageId)).toMatchObject({
      archiveStatus: 'FAILED',
      archiveError: { httpStatus: 403, message: 'not yours' },
      documents: [documentOf(packageId, 1)],
    });
    expect(await itemAt(table, `PACKAGE#${packageId}`, 'PACKAGE')).toMatchObject({
      archiveFailedAt: failedAt.toISOString(),
    });
    // An operator's request later: the rest is recorded, and ARCHIVED clears the error.
    expect(await archive.addDocument(packageId, documentOf(packageId, 2), 1, BUCKET)).toBe(true);
    expect(await archive.markArchived(packageId, 2, BUCKET, now)).toBe(true);
    const item = await itemAt(table, `PACKAGE#${packageId}`, 'PACKAGE');
    expect(item).toMatchObject({ archiveStatus: 'ARCHIVED' });
    expect(item?.archiveError).toBeUndefined();
  });

  it('restarts an ARCHIVED package once per request', async () => {
    const packageId = await completed(newPackage());
    expect(await archive.restartArchive(packageId, 'request-1')).toBe(false);
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    await archive.markArchived(packageId, 1, BUCKET, now);

    expect(await archive.restartArchive(packageId, 'request-1')).toBe(true);
    expect(await archive.getArchive(packageId)).toMatchObject({
      archiveStatus: undefined,
      archivedAt: undefined,
      documents: [],
    });
    // The same request delivered again while it runs, and once it is ARCHIVED again.
    expect(await archive.restartArchive(packageId, 'request-1')).toBe(false);
    await archive.addDocument(packageId, documentOf(packageId, 1), 0, BUCKET);
    await archive.markArchived(packageId, 1, BUCKET, new Date('2026-12-02T10:00:00Z'));
    expect(await archive.restartArchive(packageId, 'request-1')).toBe(false);
    expect(await archive.restartArchive(packageId, 'request-2')).toBe(true);
  });

  it('keeps each tenant’s package apart', async () => {
    const packageId = newPackage();
    const acme = new DynamoDbPackageStore(table.table, 'acme');
    await completed(packageId, acme);
    const acmeArchive = new DynamoDbArchiveStore(table.table, 'acme');
    expect(await archive.getArchive(packageId)).toBeUndefined();
    const document = { ...documentOf(packageId, 1), key: `acme/${packageId}/1.pdf` };
    expect(await acmeArchive.addDocument(packageId, document, 0, BUCKET)).toBe(true);
    expect(await archive.addDocument(packageId, document, 0, BUCKET)).toBe(false);
    expect(await itemAt(table, `TENANT#acme#PACKAGE#${packageId}`, 'PACKAGE')).toMatchObject({
      documents: [expect.objectContaining({ key: `acme/${packageId}/1.pdf` })],
    });
  });
});
