import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BucketError,
  createS3Client,
  S3ArchiveBucket,
} from '../../../lib/archive/s3-archive-bucket.ts';
import { RetryableSigningHubError } from '../../../lib/signinghub/errors.ts';
import { type ArchiveS3, startArchiveS3, testDocument } from '../../support/archive-s3.ts';
import { motoClientConfig } from '../../support/moto-deploy.ts';

const BUCKET = 'archive-bucket-test';
const MiB = 1024 * 1024;
let s3: ArchiveS3;
let bucket: S3ArchiveBucket;

beforeAll(async () => {
  s3 = await startArchiveS3();
  await s3.createBucket(BUCKET);
  bucket = new S3ArchiveBucket(s3.client, BUCKET);
}, 60_000);
afterAll(() => s3?.stop());

/** What `store` threw. */
const failure = async (stored: Promise<unknown>): Promise<unknown> => {
  try {
    await stored;
  } catch (error) {
    return error;
  }
  throw new Error('the document was stored');
};

describe('S3ArchiveBucket', () => {
  it('stores a small document in one PutObject, as a PDF with its name, counted and hashed', async () => {
    const document = testDocument(70_000);
    const stored = await bucket.store({
      key: 'default/1/11.pdf',
      name: 'Vertrag für Müller.pdf',
      body: document.stream(),
    });
    expect(stored).toEqual({ bytes: 70_000, sha256: document.sha256 });
    expect(await s3.read(BUCKET, 'default/1/11.pdf')).toEqual({
      bytes: 70_000,
      sha256: document.sha256,
      contentType: 'application/pdf',
      metadata: { 'document-name': 'Vertrag%20f%C3%BCr%20M%C3%BCller.pdf' },
      eTag: expect.not.stringMatching(/-\d+"$/),
    });
  });

  it('stores a document just over 5 MiB as a multipart upload, every byte in place', async () => {
    const document = testDocument(5 * MiB + 1, { seed: 2 });
    const stored = await bucket.store({
      key: 'default/2/21.pdf',
      name: 'big.pdf',
      body: document.stream(),
    });
    expect(stored).toEqual({ bytes: 5 * MiB + 1, sha256: document.sha256 });
    const object = await s3.read(BUCKET, 'default/2/21.pdf');
    expect(object).toMatchObject({ bytes: 5 * MiB + 1, sha256: document.sha256 });
    // A multipart object's ETag ends with its number of parts.
    expect(object?.eTag).toMatch(/-2"$/);
    expect(await s3.incompleteUploads(BUCKET)).toEqual([]);
  });

  it('keeps a name cut to 1,024 bytes of metadata, which S3 accepts', async () => {
    const name = '€'.repeat(2_000);
    await bucket.store({ key: 'default/3/31.pdf', name, body: testDocument(10).stream() });
    const stored = (await s3.read(BUCKET, 'default/3/31.pdf'))?.metadata['document-name'] ?? '';
    expect(stored.length).toBe(1_017);
    expect(decodeURIComponent(stored)).toBe('€'.repeat(113));
  });

  it('throws the body’s own error when the download fails half-way, leaving no object or parts', async () => {
    const cut = new RetryableSigningHubError('document', { message: 'the body stalled' });
    const document = testDocument(7 * MiB, { failAfter: 6 * MiB, error: cut });
    const error = await failure(
      bucket.store({ key: 'default/4/41.pdf', name: 'cut.pdf', body: document.stream() }),
    );
    expect(error).toBe(cut);
    expect(await s3.read(BUCKET, 'default/4/41.pdf')).toBeUndefined();
    expect(await s3.incompleteUploads(BUCKET)).toEqual([]);
  });

  it('aborts the upload when the signal fires, and says the time ran out', async () => {
    const controller = new AbortController();
    let sent = 0;
    const document = testDocument(12 * MiB);
    const body = document.stream().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, next) => {
          sent += chunk.length;
          // Past the first part: a multipart upload is under way when the time runs out.
          if (sent > 6 * MiB) controller.abort();
          next.enqueue(chunk);
        },
      }),
    );
    const error = await failure(
      bucket.store({
        key: 'default/5/51.pdf',
        name: 'late.pdf',
        body,
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(BucketError);
    expect(error).toMatchObject({ retry: 'later' });
    expect(await s3.read(BUCKET, 'default/5/51.pdf')).toBeUndefined();
    expect(await s3.incompleteUploads(BUCKET)).toEqual([]);
  });

  it('stores through the client made for an S3 stand-in: its endpoint, path-style', async () => {
    // A host name, not an address: the SDK would go path-style for an address on its own.
    const client = createS3Client(s3.endpoint.replace('127.0.0.1', 'localhost'));
    try {
      const document = testDocument(1_000, { seed: 9 });
      const stored = await new S3ArchiveBucket(client, BUCKET).store({
        key: 'default/9/91.pdf',
        name: 'local.pdf',
        body: document.stream(),
      });
      expect(stored).toEqual({ bytes: 1_000, sha256: document.sha256 });
      expect(await s3.read(BUCKET, 'default/9/91.pdf')).toMatchObject({ bytes: 1_000 });
    } finally {
      client.destroy();
    }
  });

  it('uploads nothing when the signal fired before, and says the time ran out', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      bucket.store({
        key: 'default/10/101.pdf',
        name: 'late.pdf',
        body: testDocument(1_000).stream(),
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(BucketError);
    expect(error).toMatchObject({
      name: 'BucketError',
      retry: 'later',
      httpStatus: undefined,
      detail: 'the invocation’s time ran out: the upload was aborted',
      message: 'S3 upload failed: the invocation’s time ran out: the upload was aborted',
    });
    expect(await s3.read(BUCKET, 'default/10/101.pdf')).toBeUndefined();
  });

  it('leaves no listener on the invocation’s signal once a document is stored', async () => {
    const controller = new AbortController();
    await bucket.store({
      key: 'default/11/111.pdf',
      name: 'x.pdf',
      body: testDocument(1_000).stream(),
      signal: controller.signal,
    });
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('takes a bucket that does not exist as a final answer (a 4xx)', async () => {
    const missing = new S3ArchiveBucket(s3.client, 'no-such-bucket-here');
    const error = await failure(
      missing.store({ key: 'default/6/61.pdf', name: 'x.pdf', body: testDocument(10).stream() }),
    );
    expect(error).toBeInstanceOf(BucketError);
    expect(error).toMatchObject({ retry: 'never', httpStatus: 404 });
    expect((error as BucketError).detail).toMatch(/^NoSuchBucket: /);
  });
});

describe('S3ArchiveBucket against an S3 that fails', () => {
  const answering = async (status: number, code: string, body = testDocument(1_000).stream()) => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(status, { 'content-type': 'application/xml' });
        response.end(`<Error><Code>${code}</Code><Message>${code} here</Message></Error>`);
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    const client = new S3Client({
      ...motoClientConfig({ endpoint: `http://127.0.0.1:${port}` }, 'eu-west-1'),
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const store = () =>
      failure(
        new S3ArchiveBucket(client, BUCKET).store({
          key: 'default/7/71.pdf',
          name: 'x.pdf',
          body,
        }),
      );
    try {
      return await store();
    } finally {
      client.destroy();
      server.close();
    }
  };

  it.each([
    [503, 'SlowDown', 'soon'],
    [500, 'InternalError', 'soon'],
    [400, 'RequestTimeout', 'soon'],
    [400, 'SlowDown', 'soon'],
    [400, 'ExpiredToken', 'soon'],
    [400, 'Throttling', 'soon'],
    [403, 'AccessDenied', 'never'],
    [400, 'InvalidArgument', 'never'],
  ] as const)('takes %s %s as retry %s', async (status, code, retry) => {
    const error = await answering(status, code);
    expect(error).toBeInstanceOf(BucketError);
    expect(error).toMatchObject({
      name: 'BucketError',
      retry,
      httpStatus: status,
      detail: `${code}: ${code} here`,
      message: `S3 upload failed (HTTP ${status}): ${code}: ${code} here`,
    });
    expect((error as BucketError).cause).toBeInstanceOf(S3ServiceException);
  });

  it('lets the download go when S3 refuses the upload before the body is read', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024)),
      cancel: () => {
        cancelled = true;
      },
    });
    // Past one part: a multipart upload, refused at its start, with the body still flowing.
    const error = await answering(403, 'AccessDenied', endless);
    expect(error).toMatchObject({ retry: 'never', httpStatus: 403 });
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 10_000 });
  });

  it('takes no answer at all as worth another try', async () => {
    const client = new S3Client({
      ...motoClientConfig({ endpoint: 'http://127.0.0.1:9' }, 'eu-west-1'),
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const error = await failure(
      new S3ArchiveBucket(client, BUCKET).store({
        key: 'default/8/81.pdf',
        name: 'x.pdf',
        body: testDocument(1_000).stream(),
      }),
    );
    client.destroy();
    expect(error).toMatchObject({ retry: 'soon', httpStatus: undefined });
    const { detail, message } = error as BucketError;
    expect(detail).toMatch(/^\w*Error: .*ECONNREFUSED/);
    expect(message).toBe(`S3 upload failed: ${detail}`);
  });
});
