import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.ts';
import { S3Error } from './s3-error.ts';

/** What a PutObject's or an UploadPart's body was, measured on its way through. */
export interface ReceivedBody {
  readonly bytes: number;
  /**
   * The ETag of a PutObject or a part, 32 hex digits unquoted: its MD5; when MD5 was not asked
   * for (the counting stand-in: it costs more than the rest), the first half of its SHA-256.
   */
  readonly etag: string;
  readonly sha256: string;
  /** The checksums the request gave (a header or a trailer), by header name, base64 as sent. */
  readonly checksums: Readonly<Record<string, string>>;
}

const CHECKSUM_HEADER = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/;

const badDigest = (what: string) =>
  new S3Error(400, 'BadDigest', `The ${what} you specified did not match the calculated checksum.`);

/** Each checksum the request names as a header; trailers come at the end. */
const headerChecksums = (req: IncomingMessage): Record<string, string> => {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (CHECKSUM_HEADER.test(name) && typeof value === 'string') found[name] = value;
  }
  return found;
};

interface Computed {
  readonly md5: Buffer | undefined;
  readonly sha256: Buffer;
  readonly sha1: Buffer | undefined;
  readonly crc32: number;
}

/** Checks what the request claimed of its body against what came: S3's 400s when they differ. */
const verify = (
  req: IncomingMessage,
  bytes: number,
  computed: Computed,
  checksums: Readonly<Record<string, string>>,
): void => {
  const declared = req.headers['x-amz-decoded-content-length'];
  if (isAwsChunked(req.headers) && declared !== undefined && Number(declared) !== bytes) {
    throw new S3Error(
      400,
      'IncompleteBody',
      `You did not provide the number of bytes specified by x-amz-decoded-content-length (${declared}, got ${bytes}).`,
    );
  }
  const contentSha = String(req.headers['x-amz-content-sha256'] ?? '');
  if (
    /^[0-9a-f]{64}$/i.test(contentSha) &&
    contentSha.toLowerCase() !== computed.sha256.toString('hex')
  ) {
    throw new S3Error(
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const md5 = req.headers['content-md5'];
  if (typeof md5 === 'string' && md5 !== computed.md5?.toString('base64')) {
    throw badDigest('Content-MD5');
  }
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(computed.crc32 >>> 0);
  const expected: Readonly<Record<string, string | undefined>> = {
    'x-amz-checksum-crc32': crc.toString('base64'),
    'x-amz-checksum-sha256': computed.sha256.toString('base64'),
    'x-amz-checksum-sha1': computed.sha1?.toString('base64'),
  };
  for (const [name, value] of Object.entries(checksums)) {
    // CRC32C and CRC64NVME are kept as given, unchecked: Node has neither built in.
    const wanted = expected[name];
    if (wanted !== undefined && wanted !== value)
      throw badDigest(name.slice('x-amz-checksum-'.length).toUpperCase());
  }
};

/**
 * Streams a request's body (aws-chunked decoded) into `sink`, chunk by chunk, never whole,
 * measuring it on the way (`onChunk` sees each chunk as it passes), then checks it as S3 does:
 * the declared length, `x-amz-content-sha256`, Content-MD5 and the flexible checksums (CRC32,
 * SHA-1, SHA-256). Rejects with an S3Error when they differ, or with the stream's error when the
 * client cut the request off; the sink has then had bytes that must be undone.
 */
export const receiveBody = async (
  req: IncomingMessage,
  sink: Writable,
  options: {
    /** Sees each chunk as it passes. */
    readonly onChunk?: (chunk: Buffer) => void;
    /** Whether the ETag is the MD5 (it is anyway when the request sends a Content-MD5). */
    readonly md5?: boolean;
  } = {},
): Promise<ReceivedBody> => {
  const { onChunk = () => {} } = options;
  const md5 =
    options.md5 !== false || req.headers['content-md5'] !== undefined
      ? createHash('md5')
      : undefined;
  const sha256 = createHash('sha256');
  // SHA-1 only when the request names it (a header, or a trailer to come): it costs.
  const sha1 =
    /sha1/i.test(
      [req.headers['x-amz-sdk-checksum-algorithm'], req.headers['x-amz-trailer']].join(),
    ) || 'x-amz-checksum-sha1' in req.headers
      ? createHash('sha1')
      : undefined;
  let crc = 0;
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5?.update(chunk);
      sha256.update(chunk);
      sha1?.update(chunk);
      crc = crc32(chunk, crc);
      bytes += chunk.length;
      onChunk(chunk);
      done(null, chunk);
    },
  });
  const decoder = isAwsChunked(req.headers) ? new AwsChunkedDecoder() : undefined;
  if (decoder) await pipeline(req, decoder, meter, sink);
  else await pipeline(req, meter, sink);
  const checksums = { ...headerChecksums(req) };
  for (const [name, value] of decoder?.trailers ?? []) {
    if (CHECKSUM_HEADER.test(name)) checksums[name] = value;
  }
  const computed = {
    md5: md5?.digest(),
    sha256: sha256.digest(),
    sha1: sha1?.digest(),
    crc32: crc,
  };
  verify(req, bytes, computed, checksums);
  return {
    bytes,
    etag: (computed.md5 ?? computed.sha256).toString('hex').slice(0, 32),
    sha256: computed.sha256.toString('hex'),
    checksums,
  };
};
