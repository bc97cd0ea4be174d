import { RetryableSigningHubError, SigningHubAbortedError } from './errors.ts';
import { exchange } from './exchange.ts';

const OPERATION = 'document';

export interface BodyGuardOptions {
  /** The longest wait for the body's next bytes, once they are asked for. */
  readonly timeoutMs: number;
  /** The caller's signal: when it fires, the stream errors with a SigningHubAbortedError. */
  readonly signal: AbortSignal | undefined;
  /** Cancels the request under way (its connection): called once, when the body is given up. */
  readonly cancelRequest: (reason: unknown) => void;
}

/**
 * A document's body as a stream that reads its source only as fast as it is read itself (no
 * chunk is read ahead, so nothing piles up in memory), and errors when its source does not give
 * the next chunk within `timeoutMs` of being asked for it (a RetryableSigningHubError naming the
 * stall), fails (a RetryableSigningHubError naming the network error), or when `signal` fires.
 * Only a stall is bounded, never the whole transfer: a body that keeps moving is read to its end
 * however long it takes, and a reader that takes its time between chunks stalls nothing. Given up
 * (an error, or cancelled by its reader), it cancels its source and the request.
 */
export const guardedBody = (
  body: ReadableStream<Uint8Array> | null,
  options: BodyGuardOptions,
): ReadableStream<Uint8Array> => {
  const reader = body?.getReader();
  // Called once: a stream that errored or was cancelled is never pulled or cancelled again.
  const giveUp = (reason: unknown) => {
    options.cancelRequest(reason);
    reader?.cancel(reason).catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (reader === undefined) {
          controller.close();
          return;
        }
        try {
          const chunk = await nextChunk(reader, options);
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        } catch (error) {
          controller.error(error);
          giveUp(error);
        }
      },
      cancel: giveUp,
    },
    { highWaterMark: 0 },
  );
};

/** The source's next chunk (undefined at its end), within `timeoutMs` and before `signal` fires. */
const nextChunk = (
  reader: ReadableStreamDefaultReader<Uint8Array>,
  { timeoutMs, signal }: BodyGuardOptions,
): Promise<Uint8Array | undefined> =>
  new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      reject(
        new SigningHubAbortedError(OPERATION, {
          message: 'cancelled: the invocation is about to time out',
        }),
      );
    };
    const timer = setTimeout(() => {
      settle();
      reject(
        new RetryableSigningHubError(OPERATION, {
          message: `the document’s body stalled: no bytes for ${timeoutMs} ms`,
        }),
      );
    }, timeoutMs);
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    exchange(OPERATION, { signal, timeoutMs }, () => reader.read()).then(
      ({ done, value }) => {
        settle();
        resolve(done ? undefined : value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
