import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;
// Past this, an oversized body is no longer drained for a clean 413 but cut off.
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/**
 * The whole request body, at most MAX_BODY_BYTES. Rejects with a BodyTooLargeError past that, or
 * with another error when the client cut the request off. `onLength` sees the bytes so far.
 */
export function readBody(
  req: IncomingMessage,
  onLength: (length: number) => void,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      onLength(length);
      if (length <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      } else if (length > MAX_DRAIN_BYTES) {
        req.destroy();
      }
    });
    req.on('end', () => {
      if (length > MAX_BODY_BYTES) reject(new BodyTooLargeError());
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (req.complete) return;
      reject(
        length > MAX_BODY_BYTES ? new BodyTooLargeError() : new Error('The request was cut off'),
      );
    });
  });
}
