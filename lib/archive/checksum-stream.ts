import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through unchanged, counting them and hashing them on the way (SHA-256), so a
 * document's checksum and size are known once it has flowed into S3 without it ever being held.
 */
export class ChecksumStream extends Transform {
  readonly #hash = createHash('sha256');
  #bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    done(null, chunk);
  }

  /** The bytes that went through so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lower-case hex of the SHA-256 of every byte that went through; call once, at the end. */
  sha256(): string {
    return this.#hash.digest('hex');
  }
}
