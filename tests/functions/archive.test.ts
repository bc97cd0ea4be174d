import { describe, expect, it } from 'vitest';
import {
  ARCHIVE_BUCKET,
  archiveHelpers,
  MULTIPART_BYTES,
  startArchiveStack,
} from '../support/archive-stack.ts';
import { sqsRecord } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt } from '../support/table-items.ts';

const { stack } = await startForFile(() => startArchiveStack());
const { simulator } = stack;
const { completed, eventFor, requestFor, archive, item, stored, downloads, sha256Of } =
  archiveHelpers(stack);
const newPackage = packageIds(40_000);

/** A COMPLETED package whose documents the simulator holds, with these sizes. */
const packageWith = async (documents: { documentId: number; name?: string; bytes: number }[]) => {
  const packageId = newPackage();
  simulator.setDocuments(packageId, documents);
  await completed(packageId);
  return packageId;
};

const documentCalls = (packageId: number) =>
  stack.simulator.calls.filter(
    (call) => call.operation === 'document' && call.packageId === packageId,
  );

describe('archive: a COMPLETED package’s signed documents in the bucket', () => {
  it('stores each document under <tenant>/<packageId>/<documentId>.pdf as a PDF with its name, and records its SHA-256 and size', async () => {
    const packageId = await packageWith([
      { documentId: 501, name: 'Vertrag für Müller.pdf', bytes: MULTIPART_BYTES },
      { documentId: 502, name: 'Anlage 1.pdf', bytes: 2_000 },
    ]);

    expect(await archive(eventFor(packageId))).toEqual({ batchItemFailures: [] });

    const big = await sha256Of(packageId, 501, MULTIPART_BYTES);
    const small = await sha256Of(packageId, 502, 2_000);
    const first = await stored(packageId, 501);
    expect(first).toEqual({
      bytes: MULTIPART_BYTES,
      sha256: big,
      contentType: 'application/pdf',
      metadata: { 'document-name': 'Vertrag%20f%C3%BCr%20M%C3%BCller.pdf' },
      // Just over 5 MiB: a multipart upload of two parts.
      eTag: expect.stringMatching(/-2"$/),
    });
    expect(await stored(packageId, 502)).toMatchObject({ bytes: 2_000, sha256: small });
    const archived = await item(packageId);
    expect(archived).toMatchObject({
      status: 'COMPLETED',
      archiveStatus: 'ARCHIVED',
      archiveBucket: ARCHIVE_BUCKET,
      archivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      documents: [
        {
          documentId: 501,
          name: 'Vertrag für Müller.pdf',
          key: `default/${packageId}/501.pdf`,
          bytes: MULTIPART_BYTES,
          sha256: big,
        },
        {
          documentId: 502,
          name: 'Anlage 1.pdf',
          key: `default/${packageId}/502.pdf`,
          bytes: 2_000,
          sha256: small,
        },
      ],
    });
    expect(archived?.archiveError).toBeUndefined();
    expect(downloads(packageId)).toEqual([501, 502]);
    expect(documentCalls(packageId)[0]?.headers).toMatchObject({
      accept: 'application/octet-stream',
    });
    expect(await stack.s3.incompleteUploads(ARCHIVE_BUCKET)).toEqual([]);
  });

  it('keeps a long name of multi-byte characters whole in the item, and cut between whole characters in the metadata', async () => {
    // 2,000 characters of two UTF-8 bytes each (%C3%BC: 6 bytes encoded), 12,000 bytes in all.
    const name = 'ü'.repeat(2_000);
    const packageId = await packageWith([{ documentId: 511, name, bytes: 100 }]);
    await archive(eventFor(packageId));
    const metadata = (await stored(packageId, 511))?.metadata['document-name'] ?? '';
    expect(metadata.length).toBeLessThanOrEqual(1_024);
    expect(metadata.length).toBe(1_020);
    expect(decodeURIComponent(metadata)).toBe('ü'.repeat(170));
    expect((await item(packageId))?.documents).toEqual([expect.objectContaining({ name })]);
  });

  it('downloads as the package’s owner, whatever the case of its address', async () => {
    const packageId = await packageWith([{ documentId: 521, bytes: 100 }]);
    simulator.setPackageOwner(packageId, 'Owner.Person@Example.COM');
    expect(await archive(eventFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(stack.simulator.downloads.filter((d) => d.packageId === packageId)).toEqual([
      expect.objectContaining({ scope: 'owner.person@example.com', end: 'complete' }),
    ]);
    expect((await item(packageId))?.archiveStatus).toBe('ARCHIVED');
  });

  it('downloads with the account’s own token when the package has no owner', async () => {
    const packageId = await packageWith([{ documentId: 531, bytes: 100 }]);
    simulator.setPackageOwner(packageId, null);
    await archive(eventFor(packageId));
    expect(stack.simulator.downloads.filter((d) => d.packageId === packageId)).toEqual([
      expect.objectContaining({ scope: '', end: 'complete' }),
    ]);
    expect((await item(packageId))?.archiveStatus).toBe('ARCHIVED');
  });
});

describe('archive: once per package', () => {
  it('archives nothing again for a repeated event or an operator’s request, and again once for --force', async () => {
    const packageId = await packageWith([{ documentId: 541, bytes: 1_000 }]);
    await archive(eventFor(packageId));
    const first = await item(packageId);

    expect(await archive(eventFor(packageId), requestFor(packageId))).toEqual({
      batchItemFailures: [],
    });
    expect(downloads(packageId)).toEqual([541]);
    expect(await item(packageId)).toEqual(first);

    const forced = requestFor(packageId, 'default', true);
    expect(await archive(forced)).toEqual({ batchItemFailures: [] });
    expect(downloads(packageId)).toEqual([541, 541]);
    const again = await item(packageId);
    expect(again).toMatchObject({ archiveStatus: 'ARCHIVED', documents: first?.documents });
    expect(again?.archivedAt).not.toBe(first?.archivedAt);
    expect(await stack.s3.versions(ARCHIVE_BUCKET, `default/${packageId}/541.pdf`)).toBe(2);

    // The same forced request delivered again: served already.
    await archive(forced);
    expect(downloads(packageId)).toEqual([541, 541]);
  });

  it('archives a package once when two deliveries of its event come in one batch', async () => {
    const packageId = await packageWith([{ documentId: 551, bytes: 1_000 }]);
    expect(await archive(eventFor(packageId), eventFor(packageId))).toEqual({
      batchItemFailures: [],
    });
    expect(downloads(packageId)).toEqual([551]);
    expect((await item(packageId))?.documents).toHaveLength(1);
  });
});

describe('archive: nothing to archive', () => {
  it.each(['DECLINED', 'DELETED'] as const)('archives nothing for a %s package', async (status) => {
    const packageId = newPackage();
    simulator.setDocuments(packageId, [{ documentId: 561, bytes: 100 }]);
    await completed(packageId, 'default', status as never);
    expect(await archive(requestFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(stack.simulator.calls.filter((call) => call.packageId === packageId)).toEqual([]);
    expect((await item(packageId))?.archiveStatus).toBeUndefined();
  });

  it('archives nothing for a package the table does not know, and takes the request off the queue', async () => {
    const packageId = newPackage();
    expect(await archive(requestFor(packageId))).toEqual({ batchItemFailures: [] });
    expect(stack.simulator.calls.filter((call) => call.packageId === packageId)).toEqual([]);
    expect(await item(packageId)).toBeUndefined();
  });

  it('stores a message that is no archive request as a rejected input, and takes it off the queue', async () => {
    const record = sqsRecord(
      JSON.stringify({ source: 'somebody', 'detail-type': 'X', detail: {} }),
    );
    expect(await archive(record)).toEqual({ batchItemFailures: [] });
    expect(
      await itemAt(stack.table, `REJECTED#archive-${record.messageId}`, 'REJECTED'),
    ).toMatchObject({
      source: 'event',
      reason: expect.stringContaining('not an archive request'),
      raw: record.body,
    });
  });
});
