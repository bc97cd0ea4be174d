import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type MotoServer, startMotoServer } from '../../harness/moto-server.ts';
import { motoClientConfig } from './moto-deploy.ts';

/** A stored object read back whole (tests only): its bytes' checksum, and what S3 keeps of it. */
export interface ReadObject {
  readonly bytes: number;
  readonly sha256: string;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly eTag: string;
}

export interface ArchiveS3 {
  /** Give it to the archive as AWS_ENDPOINT_URL_S3. */
  readonly endpoint: string;
  readonly moto: MotoServer;
  /** The operator's client, path-style against moto. */
  readonly client: S3Client;
  /** A bucket with versioning on, as the stack makes it. */
  createBucket(name: string): Promise<void>;
  read(bucket: string, key: string): Promise<ReadObject | undefined>;
  /** The keys of the multipart uploads begun and neither completed nor aborted. */
  incompleteUploads(bucket: string): Promise<string[]>;
  /** How many versions of the key the bucket holds. */
  versions(bucket: string, key: string): Promise<number>;
  stop(): Promise<void>;
}

/** S3 in moto on loopback, one per test file. */
export const startArchiveS3 = async (region = 'us-east-1'): Promise<ArchiveS3> => {
  const moto = await startMotoServer();
  const client = new S3Client({ ...motoClientConfig(moto, region), forcePathStyle: true });
  return {
    endpoint: moto.endpoint,
    moto,
    client,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      await client.send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    },
    read: async (bucket, key) => {
      let answer: GetObjectCommandOutput;
      try {
        answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
      const hash = createHash('sha256');
      let bytes = 0;
      const body = answer.Body;
      if (!(body instanceof Readable)) throw new Error('the object has no body stream');
      for await (const chunk of body) {
        const buffer = Buffer.from(chunk as Uint8Array);
        hash.update(buffer);
        bytes += buffer.length;
      }
      return {
        bytes,
        sha256: hash.digest('hex'),
        contentType: answer.ContentType,
        metadata: answer.Metadata ?? {},
        eTag: answer.ETag ?? '',
      };
    },
    incompleteUploads: async (bucket) => {
      const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (answer.Uploads ?? []).map((upload) => upload.Key ?? '');
    },
    versions: async (bucket, key) => {
      const answer = await client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }),
      );
      return (answer.Versions ?? []).filter((version) => version.Key === key).length;
    },
    stop: async () => {
      client.destroy();
      await moto.stop();
    },
  };
};

/**
 * Deterministic bytes (a PDF header, then a counter's pattern), as a web stream in chunks of 64 KiB
 * made as they are read, with their SHA-256; `failAfter` errors the stream after that many bytes.
 */
export const testDocument = (
  bytes: number,
  options: { readonly seed?: number; readonly failAfter?: number; readonly error?: Error } = {},
) => {
  const seed = options.seed ?? 1;
  const chunkAt = (offset: number, length: number): Uint8Array => {
    const chunk = new Uint8Array(length);
    for (let index = 0; index < length; index += 1) {
      chunk[index] = (offset + index) * 31 + seed * 7;
    }
    if (offset === 0) chunk.set(new TextEncoder().encode('%PDF-1.7\n').subarray(0, length));
    return chunk;
  };
  const hash = createHash('sha256');
  for (let offset = 0; offset < bytes; offset += 65_536) {
    hash.update(chunkAt(offset, Math.min(65_536, bytes - offset)));
  }
  const sha256 = hash.digest('hex');
  const stream = (): ReadableStream<Uint8Array> => {
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (options.failAfter !== undefined && offset >= options.failAfter) {
          controller.error(options.error ?? new Error('the body was cut off'));
          return;
        }
        if (offset >= bytes) {
          controller.close();
          return;
        }
        const length = Math.min(65_536, bytes - offset);
        controller.enqueue(chunkAt(offset, length));
        offset += length;
      },
    });
  };
  return { bytes, sha256, stream };
};
