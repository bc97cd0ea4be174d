import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type S3StandIn, startS3StandIn } from '../../harness/s3-stand-in.ts';

// The S3 stand-in npm start, the memory test and the bench use instead of moto, driven by the
// SDK's own S3Client and lib-storage's Upload, as the archive function drives S3.

const BUCKET = 'archive-bucket';
const MIB = 1024 * 1024;

/** Bytes that differ from offset to offset, so a part out of place changes the hash. */
const bytes = (size: number, seed = 1): Buffer => {
  const made = Buffer.alloc(size);
  for (let at = 0; at < size; at += 1) made[at] = (at * 31 + seed * 7 + (at >> 12)) & 0xff;
  return made;
};
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TWELVE = bytes(12 * MIB);

let dir: string;
const started: S3StandIn[] = [];
const clients: S3Client[] = [];

const start = async (storage: 'count' | 'folder', buckets = [BUCKET]) => {
  const standIn = await startS3StandIn({
    buckets,
    storage: storage === 'count' ? 'count' : { folder: dir },
  });
  started.push(standIn);
  const client = new S3Client({
    endpoint: standIn.endpoint,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  clients.push(client);
  return { standIn, client };
};

/** What the SDK made of an error answer. */
const failure = async (sending: Promise<unknown>) =>
  sending.then(
    () => undefined,
    (caught: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: caught.name,
      status: caught.$metadata?.httpStatusCode,
    }),
  );

/** A request as a client other than the SDK sends it: headers and body chunks as given. */
const raw = (
  standIn: S3StandIn,
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: readonly (Buffer | string)[] = [],
  pauseAfterFirst?: Promise<void>,
): Promise<{ status: number; body: string; etag: string | undefined }> =>
  new Promise((resolve, reject) => {
    const sent = request(`${standIn.endpoint}${path}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, etag: res.headers.etag?.toString() }),
      );
    });
    sent.on('error', reject);
    (async () => {
      for (const [index, chunk] of chunks.entries()) {
        sent.write(chunk);
        if (index === 0 && pauseAfterFirst) await pauseAfterFirst;
      }
      sent.end();
    })().catch(reject);
  });

const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20261207/eu-west-1/s3/aws4_request',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-stand-in-'));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const standIn of started.splice(0)) await standIn.close();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the S3 stand-in, through the SDK’s S3Client and lib-storage’s Upload', () => {
  it('takes a 12 MiB object in parts (multipart upload) into the folder, bytes, type and metadata kept', async () => {
    const { standIn, client } = await start('folder');
    const key = 'default/1001/7.pdf';

    await new Upload({
      client,
      params: {
        Bucket: BUCKET,
        Key: key,
        // A stream, as a download is: the Upload cuts it into 5 MiB parts.
        Body: Readable.from([TWELVE.subarray(0, 3 * MIB), TWELVE.subarray(3 * MIB)]),
        ContentType: 'application/pdf',
        Metadata: { 'document-name': 'Contract%20%C3%A9t%C3%A9.pdf' },
      },
    }).done();

    expect(standIn.requests()).toEqual({
      CreateMultipartUpload: 1,
      UploadPart: 3,
      CompleteMultipartUpload: 1,
    });
    expect(standIn.object(BUCKET, key)).toMatchObject({
      bytes: 12 * MIB,
      sha256: sha256(TWELVE),
      partSizes: [5 * MIB, 5 * MIB, 2 * MIB],
      contentType: 'application/pdf',
      metadata: { 'document-name': 'Contract%20%C3%A9t%C3%A9.pdf' },
      etag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/),
    });
    expect((await readFile(join(dir, BUCKET, key))).equals(TWELVE)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({
      ContentLength: 12 * MIB,
      ContentType: 'application/pdf',
      Metadata: { 'document-name': 'Contract%20%C3%A9t%C3%A9.pdf' },
    });
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(sha256(Buffer.from((await got.Body?.transformToByteArray()) ?? []))).toBe(
      sha256(TWELVE),
    );
    // Nothing of the upload is left beside the object.
    expect(await readdir(join(dir, '.s3-stand-in', 'uploads'))).toEqual([]);
  });

  it('takes a small object in one PutObject, and a stream of unknown size sent aws-chunked', async () => {
    const { standIn, client } = await start('folder');
    const small = bytes(1000, 2);

    await new Upload({ client, params: { Bucket: BUCKET, Key: 'small.pdf', Body: small } }).done();
    // The SDK streams this one aws-chunked, its CRC32 as a trailer.
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed.pdf',
        Body: Readable.from([small.subarray(0, 300), small.subarray(300)]),
        ContentLength: small.length,
      }),
    );

    expect(standIn.requests()).toEqual({ PutObject: 2 });
    for (const key of ['small.pdf', 'streamed.pdf']) {
      expect(standIn.object(BUCKET, key)).toMatchObject({ bytes: 1000, sha256: sha256(small) });
      expect((await readFile(join(dir, BUCKET, key))).equals(small)).toBe(true);
    }
  });

  it('counts without keeping: the object’s size, SHA-256 and parts, no bytes anywhere', async () => {
    const { standIn, client } = await start('count');

    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'counted.pdf', Body: Readable.from([TWELVE]) },
    }).done();

    expect(standIn.folder).toBeUndefined();
    expect(standIn.objects()).toEqual([
      expect.objectContaining({
        key: 'counted.pdf',
        bytes: 12 * MIB,
        sha256: sha256(TWELVE),
        partSizes: [5 * MIB, 5 * MIB, 2 * MIB],
      }),
    ]);
    expect(
      await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'counted.pdf' }))),
    ).toEqual({ name: 'NotImplemented', status: 501 });
  });

  it('hashes parts sent out of order, or while an earlier one is still coming, in part order', async () => {
    const { standIn, client } = await start('count');
    const [one, two, three] = [0, 1, 2].map((index) =>
      TWELVE.subarray(index * 5 * MIB, Math.min((index + 1) * 5 * MIB, TWELVE.length)),
    );
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'ordered.pdf' }),
    );
    const path = (part: number) => `/${BUCKET}/ordered.pdf?partNumber=${part}&uploadId=${UploadId}`;
    const put = (part: number, body: Buffer, pause?: Promise<void>) =>
      raw(
        standIn,
        'PUT',
        path(part),
        { ...SIGNED, 'content-length': String(body.length) },
        [body.subarray(0, 1000), body.subarray(1000)],
        pause,
      );

    // Part 3 first: nothing before it is on its way, so it waits on disk.
    const third = await put(3, three ?? Buffer.alloc(0));
    // Part 1 starts and stalls; part 2 comes meanwhile and waits for it, then part 1 ends.
    let release = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = put(1, one ?? Buffer.alloc(0), stalled);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = put(2, two ?? Buffer.alloc(0));
    release();
    const parts = [await first, await second, third];
    expect(parts.map((part) => part.status)).toEqual([200, 200, 200]);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'ordered.pdf',
        UploadId,
        MultipartUpload: {
          Parts: parts.map((part, index) => ({ PartNumber: index + 1, ETag: part.etag })),
        },
      }),
    );

    expect(standIn.object(BUCKET, 'ordered.pdf')).toMatchObject({
      bytes: 12 * MIB,
      sha256: sha256(TWELVE),
    });
  });

  it('refuses a Complete whose part (but the last) is under 5 MiB, as S3 does', async () => {
    const { client } = await start('count');
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'tiny.pdf' }),
    );
    const parts = [];
    for (const PartNumber of [1, 2]) {
      const { ETag } = await client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'tiny.pdf',
          UploadId,
          PartNumber,
          Body: bytes(1024),
        }),
      );
      parts.push({ PartNumber, ETag });
    }

    const complete = client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'tiny.pdf',
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );

    expect(await failure(complete)).toEqual({ name: 'EntityTooSmall', status: 400 });
  });

  it('checks a body against its checksums: a wrong CRC32 trailer or payload hash is refused, nothing kept', async () => {
    const { standIn } = await start('folder');
    const chunked = {
      ...SIGNED,
      'content-encoding': 'aws-chunked',
      'transfer-encoding': 'chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '11',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    };
    const body = (crc: string) => [
      `6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`,
    ];

    const good = await raw(standIn, 'PUT', `/${BUCKET}/good.pdf`, chunked, body('DUoRhQ=='));
    const badCrc = await raw(standIn, 'PUT', `/${BUCKET}/bad.pdf`, chunked, body('AAAAAA=='));
    const badSha = await raw(
      standIn,
      'PUT',
      `/${BUCKET}/bad.pdf`,
      { ...SIGNED, 'x-amz-content-sha256': sha256(Buffer.from('other')) },
      ['hello world'],
    );

    expect(good.status).toBe(200);
    expect(await readFile(join(dir, BUCKET, 'good.pdf'), 'utf8')).toBe('hello world');
    expect(badCrc).toMatchObject({
      status: 400,
      body: expect.stringContaining('<Code>BadDigest</Code>'),
    });
    expect(badSha).toMatchObject({
      status: 400,
      body: expect.stringContaining('<Code>XAmzContentSHA256Mismatch</Code>'),
    });
    expect(standIn.object(BUCKET, 'bad.pdf')).toBeUndefined();
  });

  it('finds a folder’s objects again after a restart, and lists them by prefix', async () => {
    const first = await start('folder');
    for (const key of ['acme/2002/1.pdf', 'acme/2002/2.pdf', 'default/2002/1.pdf']) {
      await first.client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: key,
          ContentType: 'application/pdf',
        }),
      );
    }
    await first.standIn.close();

    const { client } = await start('folder');
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'acme/2002/2.pdf' }),
    );
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'acme/', MaxKeys: 1 }),
    );
    const next = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: 'acme/',
        ContinuationToken: page.NextContinuationToken,
      }),
    );

    expect(head).toMatchObject({ ContentType: 'application/pdf', ContentLength: 15 });
    expect(page).toMatchObject({
      IsTruncated: true,
      Contents: [{ Key: 'acme/2002/1.pdf', Size: 15 }],
    });
    expect(next).toMatchObject({ IsTruncated: false, Contents: [{ Key: 'acme/2002/2.pdf' }] });
  });

  it('answers as S3 does: an unsigned request, an unknown bucket or key, and a fault injected on purpose', async () => {
    const { standIn, client } = await start('count');

    const unsigned = await raw(standIn, 'PUT', `/${BUCKET}/x.pdf`, {}, ['x']);
    const noBucket = await failure(
      client.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'x', Body: 'x' })),
    );
    const noKey = await failure(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nothing.pdf' })),
    );
    standIn.failNext(1, { operation: 'PutObject', code: 'SlowDown' });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'retried.pdf', Body: 'x' }));

    expect(unsigned).toMatchObject({
      status: 403,
      body: expect.stringContaining('<Code>AccessDenied</Code>'),
    });
    expect(noBucket).toEqual({ name: 'NoSuchBucket', status: 404 });
    expect(noKey).toEqual({ name: 'NotFound', status: 404 });
    // The SDK retried the throttled PutObject: two requests, one object (and the two refused above).
    expect(standIn.requests()).toMatchObject({ PutObject: 4, HeadObject: 1 });
    expect(standIn.objects().map((object) => object.key)).toEqual(['retried.pdf']);
  });
});
