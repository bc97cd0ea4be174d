import { type ArchiveJob, archivePackage } from '../../lib/archive/archive-package.ts';
import { type Log, silentLog } from '../../lib/logger.ts';
import type { ArchiveStore } from '../../lib/store/ports.ts';
import {
  archiveTestDeps,
  documentBytes,
  documentSha256,
  documentsOf,
  fakeBucket,
  fakeDocuments,
} from './archive-fakes.ts';
import type { TestTable } from './dynamodb.ts';
import { packageIds } from './package-ids.ts';
import { itemAt } from './table-items.ts';

/*
 * A package to archive on a test table (DynamoDB Local), with the archive's fakes around it: the
 * archive use case's tests share it.
 */

const jobFor = (packageId: number, more: Partial<ArchiveJob> = {}): ArchiveJob => ({
  packageId,
  tenant: 'default',
  force: false,
  requestId: `message-${packageId}`,
  ...more,
});

/** A document as the fakes store it and the table records it. */
export const storedDocument = (packageId: number, documentId: number) => ({
  documentId,
  name: `Document ${documentId}.pdf`,
  key: `default/${packageId}/${documentId}.pdf`,
  bytes: documentBytes(documentId),
  sha256: documentSha256(documentId),
});

/** The table and its archive store, read when a test runs (both are made in beforeAll). */
interface ArchiveTable {
  readonly table: TestTable;
  readonly archive: ArchiveStore;
}

export const archiveWorlds = (on: () => ArchiveTable, firstPackageId: number) => {
  const newPackage = packageIds(firstPackageId);

  const completed = async (packageId = newPackage()) => {
    await on().table.packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      new Date(),
    );
    return packageId;
  };

  /**
   * A package's world: SigningHub's documents, the bucket, the deps; `run` archives once, with
   * the table's archive store or `options.archive`, logging to `options.log`.
   */
  const world = (
    packageId: number,
    ids: number[] = [11, 12],
    owner?: string,
    options: { archive?: ArchiveStore; log?: Log } = {},
  ) => {
    const documents = fakeDocuments(packageId, documentsOf(...ids), owner);
    const bucket = fakeBucket();
    const deps = archiveTestDeps(bucket);
    const run = (more: Partial<ArchiveJob> = {}, remainingMs?: number) =>
      archivePackage(
        jobFor(packageId, more),
        { ...deps, archive: options.archive ?? on().archive, documents },
        deps.budget(remainingMs),
        options.log ?? silentLog,
      );
    const item = () => itemAt(on().table, `PACKAGE#${packageId}`, 'PACKAGE');
    return { documents, bucket, deps, run, item };
  };

  return { newPackage, completed, world };
};
