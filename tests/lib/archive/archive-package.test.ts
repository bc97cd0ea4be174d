import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectKey } from '../../../lib/archive/archive-package.ts';
import { BucketError } from '../../../lib/archive/s3-archive-bucket.ts';
import { FinalSigningHubError } from '../../../lib/signinghub/errors.ts';
import { DynamoDbArchiveStore } from '../../../lib/store/dynamodb-archive-store.ts';
import type { ArchiveStore } from '../../../lib/store/ports.ts';
import { documentBytes, REQUEST_TIMEOUT_MS } from '../../support/archive-fakes.ts';
import { archiveWorlds, storedDocument } from '../../support/archive-world.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { busy, slowDown, unauthorized } from '../../support/signinghub-errors.ts';

let table: TestTable;
let archive: DynamoDbArchiveStore;
beforeAll(async () => {
  table = await createTestTable();
  archive = new DynamoDbArchiveStore(table.table);
});
afterAll(() => table.drop());

const { newPackage, completed, world } = archiveWorlds(() => ({ table, archive }), 100);

/** The table's archive store, with some of its writes racing another delivery's. */
const racingStore = (racing: Partial<ArchiveStore>): ArchiveStore => ({
  getArchive: (id) => archive.getArchive(id),
  restartArchive: (id, requestId) => archive.restartArchive(id, requestId),
  addDocument: (id, document, recorded, bucket) =>
    archive.addDocument(id, document, recorded, bucket),
  markArchived: (id, recorded, bucket, now) => archive.markArchived(id, recorded, bucket, now),
  markFailed: (id, error, now) => archive.markFailed(id, error, now),
  ...racing,
});

describe('archivePackage', () => {
  it('stores each document in order under its key, records it, then archives the package', async () => {
    const packageId = await completed();
    const { run, bucket, deps, item, documents } = world(packageId, [11, 12], 'Owner@Example.COM');

    expect(await run()).toBe('archived');

    expect(bucket.stored.map(({ key, name }) => ({ key, name }))).toEqual([
      { key: `default/${packageId}/11.pdf`, name: 'Document 11.pdf' },
      { key: `default/${packageId}/12.pdf`, name: 'Document 12.pdf' },
    ]);
    expect(await item()).toMatchObject({
      archiveStatus: 'ARCHIVED',
      archivedAt: new Date(deps.clock.ms).toISOString(),
      archiveBucket: 'archive-test',
      documents: [storedDocument(packageId, 11), storedDocument(packageId, 12)],
    });
    // The owner's documents, with a token scoped to the owner, in lower case.
    expect(documents.calls.filter((call) => call.documentId !== undefined)).toEqual([
      { documentId: 11, scope: 'owner@example.com' },
      { documentId: 12, scope: 'owner@example.com' },
    ]);
    expect(deps.metrics.values('DocumentsArchived')).toEqual([1, 1]);
    expect(deps.metrics.values('ArchiveBytes')).toEqual([documentBytes(11), documentBytes(12)]);
    expect(deps.metrics.values('PackageArchived')).toEqual([1]);
    expect(deps.metrics.values('ArchiveFailed')).toEqual([]);
  });

  it('asks with the account’s own token when the package has no owner', async () => {
    const packageId = await completed();
    const { run, documents } = world(packageId, [11]);
    expect(await run()).toBe('archived');
    expect(documents.calls[1]).toEqual({ documentId: 11, scope: undefined });
  });

  it('names the tenant in the key', () => {
    expect(objectKey('acme', 42, 7)).toBe('acme/42/7.pdf');
    expect(objectKey('default', 42, 7)).toBe('default/42/7.pdf');
  });

  it('archives nothing for a package unknown, open, DECLINED or DELETED', async () => {
    const open = newPackage();
    await table.packages.markInProgress(open, new Date());
    const declined = newPackage();
    await table.packages.recordConfirmation(
      declined,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      new Date(),
    );
    const deleted = newPackage();
    await table.packages.recordConfirmation(
      deleted,
      { status: 'DELETED', workflowStatus: undefined },
      new Date(),
    );
    for (const packageId of [newPackage(), open, declined, deleted]) {
      const { run, documents, item } = world(packageId);
      expect(await run()).toBe('nothing-to-archive');
      expect(documents.calls).toEqual([]);
      expect((await item())?.archiveStatus).toBeUndefined();
    }
  });

  it('archives a package once: a repeated request does nothing, --force does it again, once per request', async () => {
    const packageId = await completed();
    const { run, documents, item, deps } = world(packageId, [11]);
    expect(await run()).toBe('archived');
    const firstAt = (await item())?.archivedAt;

    expect(await run({ requestId: 'another' })).toBe('already-archived');
    expect(documents.downloads()).toBe(1);

    deps.clock.ms += 60_000;
    expect(await run({ force: true, requestId: 'forced' })).toBe('archived');
    expect(documents.downloads()).toBe(2);
    expect((await item())?.archivedAt).not.toBe(firstAt);
    // The same forced request delivered again: served already.
    expect(await run({ force: true, requestId: 'forced' })).toBe('already-archived');
    expect(documents.downloads()).toBe(2);
    expect(deps.metrics.values('PackageArchived')).toEqual([1, 1]);
  });

  it('resumes after the documents recorded: none of them is downloaded again', async () => {
    const packageId = await completed();
    const { run, documents, bucket } = world(packageId, [11, 12, 13]);
    documents.script(12, busy(), busy(), busy(), busy());

    expect(await run()).toBe('retry-later');
    expect(documents.downloads(11)).toBe(1);
    expect(documents.downloads(12)).toBe(4);
    expect(documents.downloads(13)).toBe(0);

    expect(await run()).toBe('archived');
    expect(documents.downloads(11)).toBe(1);
    expect(documents.downloads(12)).toBe(5);
    expect(bucket.stored.map(({ key }) => key)).toEqual(
      [11, 12, 13].map((id) => `default/${packageId}/${id}.pdf`),
    );
  });

  it('tries a transient failure again after a backoff, within the invocation', async () => {
    const packageId = await completed();
    const { run, documents, deps, bucket } = world(packageId, [11]);
    documents.script(0, busy('workflow'));
    documents.script(11, busy());
    bucket.script(new BucketError('soon', 'SlowDown: reduce your request rate', 503));
    expect(await run()).toBe('archived');
    expect(deps.clock.slept).toHaveLength(3);
    expect(documents.downloads(11)).toBe(3);
  });

  it.each([
    ['SigningHub answers 401 to a fresh token', unauthorized()],
    ['Retry-After is longer than an invocation waits', slowDown(25_000)],
  ])('hands back at once when %s', async (_, error) => {
    const packageId = await completed();
    const { run, documents, deps, item } = world(packageId, [11]);
    documents.script(11, error);
    expect(await run({}, 120_000)).toBe('retry-later');
    expect(deps.clock.slept).toEqual([]);
    expect((await item())?.archiveStatus).toBeUndefined();
  });

  it('fails for good on a final answer, keeping the documents already stored', async () => {
    const packageId = await completed();
    const { run, documents, deps, item } = world(packageId, [11, 12, 13]);
    documents.script(
      12,
      new FinalSigningHubError('document', {
        httpStatus: 403,
        message: 'Document does not belong to user',
      }),
    );
    expect(await run()).toBe('failed');
    expect(documents.downloads(13)).toBe(0);
    const failed = await item();
    expect(failed).toMatchObject({
      archiveStatus: 'FAILED',
      archiveError: { httpStatus: 403, message: 'document 12: Document does not belong to user' },
      archiveFailedAt: new Date(deps.clock.ms).toISOString(),
      documents: [storedDocument(packageId, 11)],
    });
    expect(failed?.archivedAt).toBeUndefined();
    expect(deps.metrics.values('ArchiveFailed')).toEqual([1]);
    expect(deps.metrics.values('PackageArchived')).toEqual([]);

    // A later request (an operator's) resumes after the documents kept.
    expect(await run({ requestId: 'later' })).toBe('archived');
    expect(documents.downloads(11)).toBe(1);
    expect((await item())?.archiveError).toBeUndefined();
  });

  it('fails for good when S3 refuses the document (a 4xx)', async () => {
    const packageId = await completed();
    const { run, bucket, item } = world(packageId, [11]);
    bucket.script(new BucketError('never', 'AccessDenied: Access Denied', 403));
    expect(await run()).toBe('failed');
    expect((await item())?.archiveError).toEqual({
      httpStatus: 403,
      message: 'document 11: S3: AccessDenied: Access Denied',
    });
  });

  it('fails for good when SigningHub no longer has the package (the workflow answers 404)', async () => {
    const packageId = await completed();
    const { run, documents, item } = world(packageId, [11]);
    documents.deleted = true;
    expect(await run()).toBe('failed');
    expect(documents.downloads()).toBe(0);
    expect((await item())?.archiveError).toEqual({
      httpStatus: 404,
      message: 'the package no longer exists at SigningHub (404): its documents cannot be archived',
    });
  });

  it('starts no document when the invocation has too little time left, and resumes later', async () => {
    const packageId = await completed();
    const { run, documents, bucket, deps } = world(packageId, [11, 12]);
    // The first document takes most of the invocation: too little is left for the second.
    bucket.script(() => {
      deps.clock.ms += 55_000;
    });
    expect(await run({}, 60_000)).toBe('retry-later');
    expect(documents.downloads(12)).toBe(0);
    expect(await run()).toBe('archived');
    expect(documents.downloads(11)).toBe(1);
  });

  it('hands back without a call when the invocation starts with too little time', async () => {
    const packageId = await completed();
    const { run, documents } = world(packageId, [11]);
    expect(await run({}, 4_000)).toBe('retry-later');
    expect(documents.calls).toEqual([]);
  });

  it('takes a document another delivery recorded meanwhile, and records the rest after it', async () => {
    const packageId = await completed();
    const { run, bucket, deps, item } = world(packageId, [11, 12]);
    // While this delivery stores 11, another one records it.
    bucket.script(async () => {
      await archive.addDocument(packageId, storedDocument(packageId, 11), 0, 'archive-test');
    });
    expect(await run()).toBe('archived');
    expect((await item())?.documents).toEqual([
      storedDocument(packageId, 11),
      storedDocument(packageId, 12),
    ]);
    expect(deps.metrics.values('DocumentsArchived')).toEqual([1]);
  });

  it('hands back a package whose documents changed just before it was to be archived', async () => {
    const packageId = await completed();
    // Another delivery records a document between this one's last record and its archive.
    const racing = racingStore({
      markArchived: async (id, recorded, bucket, now) => {
        await archive.addDocument(id, storedDocument(id, 99), recorded, bucket);
        return archive.markArchived(id, recorded, bucket, now);
      },
    });
    const { run, deps, item } = world(packageId, [11], undefined, { archive: racing });
    expect(await run()).toBe('retry-later');
    expect((await item())?.archiveStatus).toBeUndefined();
    expect(deps.metrics.values('PackageArchived')).toEqual([]);
  });

  it('does nothing more when another delivery archived the package meanwhile', async () => {
    const packageId = await completed();
    const { run, bucket, deps } = world(packageId, [11, 12]);
    // Another delivery records 11 and archives the package (an earlier list of its documents).
    bucket.script(async () => {
      await archive.addDocument(packageId, storedDocument(packageId, 11), 0, 'archive-test');
      await archive.markArchived(packageId, 1, 'archive-test', new Date());
    });
    expect(await run()).toBe('already-archived');
    expect(deps.metrics.values('DocumentsArchived')).toEqual([]);
    expect(deps.metrics.values('PackageArchived')).toEqual([]);
  });
  it('starts the package and each document with exactly one attempt’s time left', async () => {
    const packageId = await completed();
    const { run, documents } = world(packageId, [11, 12]);
    // 1,000 ms answering early, 250 ms for the writes, 2,000 ms to settle: 2,000 ms left to ask.
    expect(await run({}, REQUEST_TIMEOUT_MS + 3_250)).toBe('archived');
    expect(documents.downloads()).toBe(2);
  });

  it('asks for the workflow details with the invocation’s signal', async () => {
    const packageId = await completed();
    const { run, documents } = world(packageId, [11]);
    const signals: (AbortSignal | undefined)[] = [];
    const details = documents.getPackageDocuments;
    documents.getPackageDocuments = (id, options) => {
      signals.push(options.signal);
      return details(id, options);
    };
    expect(await run()).toBe('archived');
    expect(signals).toEqual([expect.any(AbortSignal)]);
  });

  it('records its document after one another delivery recorded meanwhile, or takes it as recorded', async () => {
    for (const others of [[12], [12, 11]]) {
      const packageId = await completed();
      const { run, bucket, documents, item } = world(packageId, [11, 12]);
      // While this delivery stores 11, another one records `others`.
      bucket.script(async () => {
        for (const [at, id] of others.entries())
          await archive.addDocument(packageId, storedDocument(packageId, id), at, 'archive-test');
      });
      expect(await run()).toBe('archived');
      expect((await item())?.documents).toEqual([
        storedDocument(packageId, 12),
        storedDocument(packageId, 11),
      ]);
      expect(documents.downloads(12)).toBe(0);
    }
  });

  it('gives up recording a document after three lists that changed each time', async () => {
    const packageId = await completed();
    let adds = 0;
    const changing = racingStore({
      addDocument: async () => {
        adds += 1;
        return false;
      },
    });
    const { run, item } = world(packageId, [11], undefined, { archive: changing });
    await expect(run()).rejects.toThrow(
      `package ${packageId}'s documents kept changing while one was recorded`,
    );
    expect(adds).toBe(3);
    expect((await item())?.archiveStatus).toBeUndefined();
  });

  it('takes the package as archived when another delivery archived it just before this one', async () => {
    const packageId = await completed();
    const first = racingStore({
      markArchived: async (id, recorded, bucket, now) => {
        await archive.markArchived(id, recorded, bucket, now);
        return false;
      },
    });
    const { run, deps, item } = world(packageId, [11], undefined, { archive: first });
    expect(await run()).toBe('already-archived');
    expect((await item())?.archiveStatus).toBe('ARCHIVED');
    expect(deps.metrics.values('PackageArchived')).toEqual([]);
  });

  it('counts no failure when another delivery archived the package before it could be FAILED', async () => {
    const packageId = await completed();
    const archived = racingStore({ markFailed: async () => false });
    const { run, documents, deps } = world(packageId, [11], undefined, { archive: archived });
    documents.deleted = true;
    expect(await run()).toBe('already-archived');
    expect(deps.metrics.values('ArchiveFailed')).toEqual([]);
  });
});
