import { createCipheriv, createHash } from 'node:crypto';

/** Which document's bytes, and how many. */
export interface DocumentBytesSpec {
  /** The enterprise (tenant id) whose host serves it: `default` at the root. */
  readonly tenant: string;
  readonly packageId: number;
  readonly documentId: number;
  readonly bytes: number;
}

/** What every simulated document starts with. */
const PDF_HEADER = Buffer.from('%PDF-1.7\n', 'latin1');
/** 64 KiB: what one chunk holds, whatever the document's size. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A simulated document's bytes, chunk by chunk (never more than one chunk in memory): `%PDF-1.7\n`,
 * then a pseudo-random sequence seeded by (tenant, package, document), so the same three give the
 * same bytes, in the simulator that serves them and in a test or the soak that checks what was
 * stored. The sequence is AES-128-CTR's key stream (key and counter from the seed's SHA-256), at
 * the byte's own position: a document's bytes do not depend on how they are chunked, and a 2 GB
 * one is made at the speed of the platform's AES.
 */
export async function* documentBytes(spec: DocumentBytesSpec): AsyncGenerator<Uint8Array> {
  const seed = createHash('sha256')
    .update(JSON.stringify([spec.tenant, spec.packageId, spec.documentId]))
    .digest();
  const keyStream = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  const zeros = Buffer.alloc(CHUNK_BYTES);
  for (let offset = 0; offset < spec.bytes; offset += CHUNK_BYTES) {
    const size = Math.min(CHUNK_BYTES, spec.bytes - offset);
    const chunk = keyStream.update(zeros.subarray(0, size));
    if (offset === 0) PDF_HEADER.copy(chunk, 0, 0, Math.min(PDF_HEADER.length, size));
    yield chunk;
  }
}

/** The lower-case hex SHA-256 of a simulated document's bytes: what an archive must have stored. */
export async function documentSha256(spec: DocumentBytesSpec): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of documentBytes(spec)) hash.update(chunk);
  return hash.digest('hex');
}
