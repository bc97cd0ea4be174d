import { describe, expect, it, vi } from 'vitest';
import type { ArchiveModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { archiveHelpers, startArchiveStack } from '../support/archive-stack.ts';
import { sqsEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { loadHandler } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';

// SigningHub's timeout: a document's body may stall for up to 5 s before it counts as stalled.
const TIMEOUT_MS = 5_000;
const { stack } = await startForFile(() =>
  startArchiveStack({ SIGNINGHUB_TIMEOUT_MS: String(TIMEOUT_MS) }),
);
const { simulator } = stack;
const { completed, eventFor, requestFor, archive, item, stored, downloads, sha256Of } =
  archiveHelpers(stack);
const newPackage = packageIds(50_000);
const failuresOf = (answer: { batchItemFailures: { itemIdentifier: string }[] }) =>
  answer.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier);

/** A COMPLETED package of three small documents. */
const threeDocuments = async () => {
  const packageId = newPackage();
  simulator.setDocuments(packageId, [
    { documentId: 1, bytes: 300_000 },
    { documentId: 2, bytes: 300_000 },
    { documentId: 3, bytes: 300_000 },
  ]);
  await completed(packageId);
  return packageId;
};

const recordedIds = async (packageId: number) =>
  ((await item(packageId))?.documents as { documentId: number }[] | undefined)?.map(
    ({ documentId }) => documentId,
  );

describe('archive: a delivery that stops resumes after the documents stored', () => {
  it('hands back a package whose 2nd document’s body is cut off every try, and the next delivery downloads only the rest', async () => {
    const packageId = await threeDocuments();
    // Every try this invocation makes: the 200's body cut off after 100 kB.
    simulator.scriptDocument(packageId, 2, ...Array(4).fill({ cutAfterBytes: 100_000 }));
    const message = eventFor(packageId);

    expect(failuresOf(await archive(message))).toEqual([message.messageId]);
    expect(await recordedIds(packageId)).toEqual([1]);
    expect((await item(packageId))?.archiveStatus).toBeUndefined();
    expect(await stored(packageId, 1)).toMatchObject({
      sha256: await sha256Of(packageId, 1, 300_000),
    });
    expect(await stored(packageId, 2)).toBeUndefined();
    expect(await stack.s3.incompleteUploads('signinghub-finish-test-archive')).toEqual([]);

    expect(await archive(message)).toEqual({ batchItemFailures: [] });
    expect(downloads(packageId)).toEqual([1, 2, 2, 2, 2, 2, 3]);
    expect(await recordedIds(packageId)).toEqual([1, 2, 3]);
    expect((await item(packageId))?.archiveStatus).toBe('ARCHIVED');
    expect(await stored(packageId, 2)).toMatchObject({
      sha256: await sha256Of(packageId, 2, 300_000),
    });
  });

  it('starts no document with too little time left in the invocation, and the next delivery resumes', async () => {
    const packageId = await threeDocuments();
    // The first document's body stalls for 4 s (under the timeout): 12 s of invocation leave
    // 8.75 s for SigningHub, and under 5 s after it, too little to start the 2nd.
    simulator.scriptDocument(packageId, 1, { stallAfterBytes: 1_000, stallMs: 4_000 });
    const message = eventFor(packageId);

    expect(failuresOf(await stack.invoke(sqsEvent(message), 12_000))).toEqual([message.messageId]);
    expect(downloads(packageId)).toEqual([1]);
    expect(await recordedIds(packageId)).toEqual([1]);

    expect(await archive(message)).toEqual({ batchItemFailures: [] });
    expect(downloads(packageId)).toEqual([1, 2, 3]);
  });
});

describe('archive: transient and final failures', () => {
  it('hands back a package while SigningHub answers 503, changing nothing', async () => {
    const packageId = await threeDocuments();
    simulator.script(packageId, 'workflow', ...Array(4).fill({ status: 503 }));
    const message = requestFor(packageId);
    expect(failuresOf(await archive(message))).toEqual([message.messageId]);
    expect(downloads(packageId)).toEqual([]);
    expect((await item(packageId))?.archiveStatus).toBeUndefined();
  });

  it('makes the archive FAILED on a 403 for a document, keeping the documents already stored', async () => {
    const packageId = await threeDocuments();
    simulator.scriptDocument(packageId, 2, {
      status: 403,
      body: { Error: 'Forbidden', Message: 'Downloading document is not allowed in draft mode' },
    });
    expect(await archive(eventFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(await item(packageId)).toMatchObject({
      archiveStatus: 'FAILED',
      archiveError: {
        httpStatus: 403,
        message: 'document 2: Downloading document is not allowed in draft mode',
      },
    });
    expect(await recordedIds(packageId)).toEqual([1]);
    expect(await stored(packageId, 1)).toBeDefined();
    expect(downloads(packageId)).toEqual([1]);

    // An operator's request later: the rest, after the document kept.
    expect(await archive(requestFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(downloads(packageId)).toEqual([1, 2, 3]);
    const archived = await item(packageId);
    expect(archived?.archiveStatus).toBe('ARCHIVED');
    expect(archived?.archiveError).toBeUndefined();
  });

  it('makes the archive FAILED on a 404 for a document', async () => {
    const packageId = await threeDocuments();
    simulator.scriptDocument(packageId, 1, {
      status: 404,
      body: { Message: 'Document not found' },
    });
    await archive(eventFor(packageId));
    expect((await item(packageId))?.archiveError).toEqual({
      httpStatus: 404,
      message: 'document 1: Document not found',
    });
  });

  it('makes the archive FAILED when SigningHub no longer has the package', async () => {
    const packageId = await threeDocuments();
    simulator.script(packageId, 'workflow', {
      status: 404,
      body: { Message: 'Package not found' },
    });
    expect(await archive(eventFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(await item(packageId)).toMatchObject({
      archiveStatus: 'FAILED',
      archiveError: { httpStatus: 404, message: expect.stringContaining('no longer exists') },
    });
    expect(downloads(packageId)).toEqual([]);
  });

  it('makes the archive FAILED when S3 refuses the document (a 4xx: no such bucket)', async () => {
    const packageId = await threeDocuments();
    const elsewhere: ArchiveModule = await loadHandler('archive', {
      ...stack.env,
      ARCHIVE_BUCKET: 'no-such-archive-bucket',
    });
    vi.unstubAllEnvs();
    const answer = await elsewhere.handler(
      sqsEvent(eventFor(packageId)),
      lambdaContext(60_000, { functionName: 'signinghub-finish-test-archive' }),
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(await item(packageId)).toMatchObject({
      archiveStatus: 'FAILED',
      archiveError: {
        httpStatus: 404,
        message: expect.stringMatching(/^document 1: S3: NoSuchBucket/),
      },
    });
  });
});
