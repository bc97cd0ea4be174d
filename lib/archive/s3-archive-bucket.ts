import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FUNCTION_SDK_CONFIG } from '../aws/sdk-config.ts';
import { SigningHubFinishError } from '../errors.ts';
import { ChecksumStream } from './checksum-stream.ts';
import { documentNameMetadata } from './document-name.ts';

/** A document to store: its key, its name (for the metadata) and its bytes as they arrive. */
export interface DocumentUpload {
  readonly key: string;
  readonly name: string;
  readonly body: ReadableStream<Uint8Array>;
  /** Fires when the invocation's time is over: the upload is aborted. */
  readonly signal?: AbortSignal | undefined;
}

/** What was stored: counted and hashed on the way. */
export interface StoredBytes {
  readonly bytes: number;
  /** SHA-256, lower-case hex. */
  readonly sha256: string;
}

/** Where the signed documents go. */
export interface ArchiveBucket {
  readonly name: string;
  /** Streams the document into the bucket; rejects with a BucketError, or the body's own error. */
  store(document: DocumentUpload): Promise<StoredBytes>;
}

/**
 * S3 failed the upload. `retry`: `never` for a final answer (a 4xx: the bucket refuses it, and
 * will again); `soon` for 5xx, throttling and no answer; `later` when the invocation's time ran out.
 */
export class BucketError extends SigningHubFinishError {
  override name = 'BucketError';
  readonly retry: 'never' | 'soon' | 'later';
  readonly httpStatus: number | undefined;
  readonly detail: string;

  constructor(retry: BucketError['retry'], detail: string, httpStatus?: number, cause?: unknown) {
    super(`S3 upload failed${httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`}: ${detail}`, {
      cause,
    });
    this.retry = retry;
    this.detail = detail;
    this.httpStatus = httpStatus;
  }
}

/** S3's 4xx answers that mean "not now" rather than "never". */
const TRANSIENT_CODES = new Set(['RequestTimeout', 'SlowDown', 'ExpiredToken', 'Throttling']);

const bucketErrorOf = (error: unknown): BucketError => {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const detail = `${error.name}: ${error.message}`;
    const transient =
      status === undefined || status >= 500 || status === 429 || TRANSIENT_CODES.has(error.name);
    return new BucketError(transient ? 'soon' : 'never', detail, status, error);
  }
  // No answer from S3 (a refused connection, a timeout): worth another try.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new BucketError('soon', detail, undefined, error);
};

const TIME_RAN_OUT = 'the invocation’s time ran out: the upload was aborted';

/** 5 MiB, S3's smallest part: a larger part costs memory, a smaller one is refused. */
const PART_SIZE = 5 * 1024 * 1024;
/** Parts in flight at once: at most QUEUE_SIZE × PART_SIZE (20 MiB) of a document is held. */
const QUEUE_SIZE = 4;

/**
 * The SDK's S3 client from its standard environment (region, credentials); `endpoint` (a stand-in)
 * replaces S3's own and is reached path-style. A connection must open within 5 s, and a socket
 * that stays idle for 30 s is given up (the SDK's own retries then try again).
 */
export const createS3Client = (endpoint: string | undefined): S3Client =>
  new S3Client({
    ...FUNCTION_SDK_CONFIG,
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 30_000 },
  });

/**
 * The archive bucket in S3, through lib-storage's Upload: the document's bytes flow from the
 * download through a checksum into S3 (one PutObject, or a multipart upload past 5 MiB), never
 * held whole. A failed or aborted upload aborts its multipart upload, so no parts are left.
 */
export class S3ArchiveBucket implements ArchiveBucket {
  readonly #client: S3Client;
  readonly name: string;

  constructor(client: S3Client, name: string) {
    this.#client = client;
    this.name = name;
  }

  async store({ key, name, body, signal }: DocumentUpload): Promise<StoredBytes> {
    const source = Readable.fromWeb(body);
    const checksum = new ChecksumStream();
    // The body's own failure (a stall, a cut) reaches the upload through the checksum stream;
    // it is thrown below, so the pipeline's own rejection is only swallowed.
    pipeline(source, checksum).catch(() => undefined);
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.name,
        Key: key,
        Body: checksum,
        ContentType: 'application/pdf',
        Metadata: { 'document-name': documentNameMetadata(name) },
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    // Upload.abort() would reject done() at once and leave the multipart upload to be aborted in
    // the background, which the invocation's end may freeze: cutting the body instead makes the
    // Upload fail its own way, aborting its multipart upload before done() rejects.
    const abort = () => source.destroy(new BucketError('later', TIME_RAN_OUT));
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
      return { bytes: checksum.bytes, sha256: checksum.sha256() };
    } catch (error) {
      // The body's own failure is the source's. Not the checksum's: the Upload stops reading it
      // when S3 refuses a document still flowing in (an AbortError), which is S3's answer.
      const bodyError = source.errored;
      // A failed upload stops reading: the download is let go.
      source.destroy();
      if (bodyError) throw bodyError;
      throw bucketErrorOf(error);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
}
