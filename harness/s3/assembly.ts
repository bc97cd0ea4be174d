import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReceivedBody, receiveBody } from './request-body.ts';

/** A sink that keeps nothing. */
export const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/**
 * An object being put together, body after body, in order: its SHA-256 over every byte, and the
 * bytes themselves written to `file` when there is one (the counting stand-in keeps none). A body
 * that fails half-way is undone, hash and file, as S3 keeps nothing of a failed request.
 */
export class Assembly {
  readonly file: string | undefined;
  #hash: Hash = createHash('sha256');
  #bytes = 0;

  private constructor(file: string | undefined) {
    this.file = file;
  }

  /** An empty object, in `file` (made now, empty) or nowhere. */
  static async start(file?: string): Promise<Assembly> {
    if (file !== undefined) await writeFile(file, '');
    return new Assembly(file);
  }

  /** Whether the bytes are kept (in `file`); the counting stand-in's ETags are no MD5s then. */
  get keepsBytes(): boolean {
    return this.file !== undefined;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Lower-case hex over every byte so far. */
  sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  /** Appends a request's body (checked as S3 checks it); on failure nothing of it stays. */
  append(req: IncomingMessage): Promise<ReceivedBody> {
    return this.#undoable((take) =>
      receiveBody(req, this.#sink(), { onChunk: take, md5: this.keepsBytes }),
    );
  }

  /** Appends a file's bytes: a part that came out of order and waited on disk. */
  appendFile(path: string): Promise<void> {
    return this.#undoable(async (take) => {
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          take(chunk);
          done(null, chunk);
        },
      });
      await pipeline(createReadStream(path), meter, this.#sink());
    });
  }

  #sink(): Writable {
    return this.file === undefined ? discard() : createWriteStream(this.file, { flags: 'a' });
  }

  async #undoable<T>(run: (take: (chunk: Buffer) => void) => Promise<T>): Promise<T> {
    const hash = this.#hash.copy();
    const bytes = this.#bytes;
    try {
      return await run((chunk) => {
        this.#hash.update(chunk);
        this.#bytes += chunk.length;
      });
    } catch (error) {
      this.#hash = hash;
      this.#bytes = bytes;
      if (this.file !== undefined) await truncate(this.file, bytes);
      throw error;
    }
  }
}
