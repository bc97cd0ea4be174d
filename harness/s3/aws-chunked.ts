import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from './s3-error.ts';

/*
 * The body of a request the SDK streams with SigV4's chunked payload (`Content-Encoding:
 * aws-chunked`, `x-amz-decoded-content-length`): `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n`
 * per chunk, then a chunk of size 0, trailer lines (`x-amz-checksum-crc32:…`) and an empty line.
 * The SDK's S3Client sends a stream of unknown size so (STREAMING-UNSIGNED-PAYLOAD-TRAILER, the
 * CRC32 as a trailer); a signed variant carries a signature per chunk, which nothing here checks.
 */

/** How long a size or trailer line may be: a longer one is not aws-chunked. */
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-end' | 'trailers' | 'done';

const malformed = (what: string) =>
  new S3Error(400, 'IncompleteBody', `The aws-chunked body is malformed: ${what}.`);

/** Whether the request's body is aws-chunked, by its headers. */
export const isAwsChunked = (headers: Readonly<Record<string, unknown>>): boolean =>
  String(headers['content-encoding'] ?? '')
    .split(',')
    .some((coding) => coding.trim() === 'aws-chunked') ||
  String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** Decodes an aws-chunked body to its bytes; the trailers it carried are in `trailers` at the end. */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  #state: State = 'size';
  #line = '';
  #remaining = 0;
  #crlf = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.#consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // A last empty line left off after the trailers is forgiven; anything cut shorter is not.
    const complete = this.#state === 'done' || (this.#state === 'trailers' && this.#line === '');
    done(complete ? undefined : malformed('it ends before its last chunk'));
  }

  #consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, chunk.length - at);
        this.push(chunk.subarray(at, at + take));
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-end';
      } else if (this.#state === 'data-end') {
        this.#crlf += String.fromCharCode(chunk[at] ?? 0);
        at += 1;
        if (this.#crlf.length === 2) {
          if (this.#crlf !== '\r\n') throw malformed('a chunk does not end with CRLF');
          this.#crlf = '';
          this.#state = 'size';
        }
      } else if (this.#state === 'done') {
        throw malformed('bytes follow its end');
      } else {
        at = this.#readLine(chunk, at);
      }
    }
  }

  /** Reads up to the end of a size or trailer line, acting on it once whole. */
  #readLine(chunk: Buffer, from: number): number {
    const newline = chunk.indexOf(0x0a, from);
    const end = newline === -1 ? chunk.length : newline + 1;
    this.#line += chunk.toString('latin1', from, end);
    if (this.#line.length > MAX_LINE) throw malformed('a line is too long');
    if (newline === -1) return end;
    if (!this.#line.endsWith('\r\n')) throw malformed('a line does not end with CRLF');
    const line = this.#line.slice(0, -2);
    this.#line = '';
    if (this.#state === 'size') this.#onSize(line);
    else this.#onTrailer(line);
    return end;
  }

  #onSize(line: string): void {
    const hex = line.split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw malformed(`bad chunk size "${hex.slice(0, 20)}"`);
    this.#remaining = Number.parseInt(hex, 16);
    this.#state = this.#remaining === 0 ? 'trailers' : 'data';
  }

  #onTrailer(line: string): void {
    if (line === '') {
      this.#state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a trailer is not name:value');
    this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
}
