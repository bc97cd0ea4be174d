import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArchiveStore } from '../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import type { ArchivedDocument } from '../../lib/store/items.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { linesOf } from './command-run.ts';
import { type LocalStack, startLocalStack } from './local-stack.ts';

// npm run status on the local stack (its table in DynamoDB Local, its bus recorded): what the
// package item says of the archive, as the archive function's store writes it.

const COMMAND_TEST_MS = 120_000;
const NOW = new Date('2026-11-28T07:00:00Z');
const ARCHIVED_AT = new Date('2026-11-28T07:05:09.123Z');

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);

afterAll(() => stack?.stop());

const storesOf = (tenant: string) => {
  const { table } = stack.table;
  return {
    packages: new DynamoDbPackageStore(table, tenant, new DynamoDbTenantRegistry(table)),
    archive: new DynamoDbArchiveStore(table, tenant),
  };
};

/** A package of a tenant made COMPLETED as the callback or reconcile makes it. */
const completed = async (packageId: number, tenant = 'default') => {
  const { packages, archive } = storesOf(tenant);
  await packages.markInProgress(packageId, NOW);
  await packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    NOW,
  );
  return archive;
};

const documentOf = (
  packageId: number,
  documentId: number,
  bytes: number,
  tenant = 'default',
): ArchivedDocument => ({
  documentId,
  name: `Vertrag ${documentId}.pdf`,
  key: `${tenant}/${packageId}/${documentId}.pdf`,
  bytes,
  sha256: createHash('sha256').update(`${tenant}/${packageId}/${documentId}`).digest('hex'),
});

/** The package as `npm run status -- <args> --json` shows it, once its events include `type`. */
const once = (args: string[], type?: string): Promise<PackageReport> =>
  stack.statusUntil(
    args,
    (report) => type === undefined || report.events.some((event) => event.detailType === type),
  );

const textOf = async (...args: string[]) => linesOf(await stack.ops('status', ...args));

/** An event line of the text view: its label, its type, any time, the local bus. */
const eventLine = (label: string, type: string) =>
  expect.stringMatching(new RegExp(`^${label}: ${type} at \\S+ \\S+Z on bus local$`));

describe('npm run status shows the archive of a package', () => {
  it(
    'follows it from the archive request to ARCHIVED: when, how many documents and bytes, each one’s key, size and SHA-256',
    async () => {
      const archive = await completed(9301);
      await once(['9301'], 'SigningPackageCompleted');
      const requested = await stack.ops('archive', '9301');
      expect(requested.code).toBe(0);
      await once(['9301'], 'SigningPackageArchiveRequested');
      expect(await textOf('9301')).toContain(
        'archive: none yet (npm run archive -- 9301 requests it)',
      );

      const big = documentOf(9301, 1, 5 * 1024 * 1024 + 1);
      const small = documentOf(9301, 2, 17);
      expect(await archive.addDocument(9301, big, 0, 'bucket')).toBe(true);
      expect(await archive.addDocument(9301, small, 1, 'bucket')).toBe(true);
      expect(await archive.markArchived(9301, 2, 'bucket', ARCHIVED_AT)).toBe(true);
      // The stack's relay publishes SigningPackageArchived from the stream, as publish does.

      const report = await once(['9301'], 'SigningPackageArchived');
      expect(report.archive).toEqual({
        archiveStatus: 'ARCHIVED',
        archivedAt: ARCHIVED_AT.toISOString(),
        documentCount: 2,
        totalBytes: 5 * 1024 * 1024 + 18,
        documents: [big, small],
        archiveError: null,
      });
      expect(await textOf('9301')).toEqual([
        'package 9301: COMPLETED (SigningHub says COMPLETED), 0 callbacks, final since 2026-11-28 07:00:00Z',
        eventLine('completion event', 'SigningPackageCompleted'),
        eventLine('archive request', 'SigningPackageArchiveRequested'),
        eventLine('archive event', 'SigningPackageArchived'),
        'archive: ARCHIVED at 2026-11-28 07:05:09Z, 2 documents, 5242898 bytes',
        `archived document: default/9301/1.pdf, 5242881 bytes, SHA-256 ${big.sha256}`,
        `archived document: default/9301/2.pdf, 17 bytes, SHA-256 ${small.sha256}`,
        '',
        'no finish items yet',
        '',
      ]);

      // The list's column names every event of the package, the archive's too.
      const list = await textOf('--limit', '100');
      expect(list[0]).toMatch(/ FINISHES +EVENTS +UPDATED$/);
      expect(list).toContainEqual(
        expect.stringMatching(
          /^(default +)?9301 +COMPLETED +COMPLETED +0 +- +SigningPackageCompleted, SigningPackageArchiveRequested, SigningPackageArchived +2026/,
        ),
      );
    },
    COMMAND_TEST_MS,
  );

  it(
    'shows a FAILED archive with its error, the documents stored before it, and how to try again',
    async () => {
      const archive = await completed(9302);
      const kept = documentOf(9302, 1, 5_001);
      await archive.addDocument(9302, kept, 0, 'bucket');
      const error = { httpStatus: 403, message: 'document 2: Document does not belong to user' };
      expect(await archive.markFailed(9302, error, ARCHIVED_AT)).toBe(true);

      expect((await once(['9302'])).archive).toEqual({
        archiveStatus: 'FAILED',
        archivedAt: null,
        documentCount: 1,
        totalBytes: 5_001,
        documents: [kept],
        archiveError: error,
      });
      const lines = await textOf('9302');
      expect(lines.slice(-5)).toEqual([
        'archive: FAILED: 403 document 2: Document does not belong to user; 1 document, 5001 ' +
          'bytes stored before it (npm run archive -- 9302 tries again)',
        `archived document: default/9302/1.pdf, 5001 bytes, SHA-256 ${kept.sha256}`,
        '',
        'no finish items yet',
        '',
      ]);
    },
    COMMAND_TEST_MS,
  );

  it(
    "names a tenant's package in its command, and shows an error without an HTTP status",
    async () => {
      const archive = await completed(9303, 'acme');
      await archive.markFailed(
        9303,
        { message: 'the package no longer exists at SigningHub' },
        ARCHIVED_AT,
      );
      await completed(9303);

      expect(await textOf('9303', '--tenant', 'acme')).toContain(
        'archive: FAILED: the package no longer exists at SigningHub; 0 documents, 0 bytes ' +
          'stored before it (npm run archive -- 9303 --tenant acme tries again)',
      );
      // The default tenant's package of the same id has none of acme's archive.
      expect(await textOf('9303')).toContain(
        'archive: none yet (npm run archive -- 9303 requests it)',
      );
      expect((await once(['9303', '--tenant', 'acme'])).archive?.archiveError).toEqual({
        message: 'the package no longer exists at SigningHub',
      });
    },
    COMMAND_TEST_MS,
  );

  it(
    'shows the documents stored so far of an archive not finished, and no archive for a package not COMPLETED',
    async () => {
      const archive = await completed(9304);
      const first = documentOf(9304, 4, 7);
      await archive.addDocument(9304, first, 0, 'bucket');
      const lines = await textOf('9304');
      expect(lines.slice(-5, -3)).toEqual([
        'archive: none yet, 1 document, 7 bytes stored so far',
        `archived document: default/9304/4.pdf, 7 bytes, SHA-256 ${first.sha256}`,
      ]);

      await storesOf('default').packages.markInProgress(9305, NOW);
      expect(await textOf('9305')).toEqual([
        'package 9305: IN_PROGRESS, 0 callbacks',
        'completion event: none yet',
        '',
        'no finish items yet',
        '',
      ]);
      expect((await once(['9305'])).archive).toEqual({
        archiveStatus: null,
        archivedAt: null,
        documentCount: 0,
        totalBytes: 0,
        documents: [],
        archiveError: null,
      });
    },
    COMMAND_TEST_MS,
  );
});
