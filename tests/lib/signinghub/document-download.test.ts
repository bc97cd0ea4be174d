import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { guardedBody } from '../../../lib/signinghub/document-download.ts';
import {
  RetryableSigningHubError,
  SigningHubAbortedError,
} from '../../../lib/signinghub/errors.ts';
import { rejection } from '../../support/rejection.ts';

// The stall guard alone, on a source the test feeds by hand, with the clock in the test's hands:
// each case is about how long something waited, so nothing here depends on the machine's speed.

const TIMEOUT_MS = 1_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A source the test writes to, and what became of it. */
const source = () => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled: unknown[] = [];
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: (reason) => {
      cancelled.push(reason);
    },
  });
  return {
    stream,
    cancelled,
    write: (...bytes: number[]) => controller.enqueue(Uint8Array.from(bytes)),
    end: () => controller.close(),
    fail: (error: unknown) => controller.error(error),
  };
};

/** The guard over a source, with the request cancellations it asked for. */
const guarded = (body: ReadableStream<Uint8Array> | null, signal?: AbortSignal) => {
  const requestCancels: unknown[] = [];
  const stream = guardedBody(body, {
    timeoutMs: TIMEOUT_MS,
    signal,
    cancelRequest: (reason) => requestCancels.push(reason),
  });
  return { reader: stream.getReader(), requestCancels };
};

describe('a document body that keeps moving', () => {
  it('is read to its end however long it takes, when no gap reaches the timeout', async () => {
    const from = source();
    const { reader, requestCancels } = guarded(from.stream);
    const received: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const next = reader.read();
      await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
      from.write(i);
      const { value } = await next;
      received.push(...(value ?? []));
    }
    const end = reader.read();
    from.end();

    expect((await end).done).toBe(true);
    expect(received).toEqual([...Array(20).keys()]);
    expect(requestCancels).toEqual([]);
    expect(from.cancelled).toEqual([]);
  });

  it('never counts the time its reader takes between chunks as a stall', async () => {
    const from = source();
    const { reader, requestCancels } = guarded(from.stream);
    from.write(1);
    expect((await reader.read()).value).toEqual(Uint8Array.of(1));

    await vi.advanceTimersByTimeAsync(TIMEOUT_MS * 10);
    from.write(2);
    from.end();

    expect((await reader.read()).value).toEqual(Uint8Array.of(2));
    expect((await reader.read()).done).toBe(true);
    expect(requestCancels).toEqual([]);
  });

  it('reads nothing ahead of its reader', async () => {
    let pulls = 0;
    const counted = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          pulls += 1;
          controller.enqueue(Uint8Array.of(pulls));
        },
      },
      { highWaterMark: 0 },
    );
    const { reader } = guarded(counted);
    await reader.read();
    await reader.read();
    await vi.advanceTimersByTimeAsync(10);

    expect(pulls).toBe(2);
  });

  it('is an empty stream when the answer had no body', async () => {
    const { reader } = guarded(null);
    expect((await reader.read()).done).toBe(true);
  });
});

describe('a document body that stops', () => {
  it('errors once no bytes came for the timeout, naming the stall, and cancels the request', async () => {
    const from = source();
    const { reader, requestCancels } = guarded(from.stream);
    from.write(1);
    await reader.read();
    const stalled = rejection(reader.read());

    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(requestCancels).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const error = await stalled;

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toBe(
      `SigningHub document failed: the document’s body stalled: no bytes for ${TIMEOUT_MS} ms`,
    );
    expect(requestCancels).toEqual([error]);
    expect(from.cancelled).toEqual([error]);
  });

  it('errors as a transient network failure when its source fails', async () => {
    const from = source();
    const { reader, requestCancels } = guarded(from.stream);
    const failed = rejection(reader.read());
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    from.fail(new TypeError('terminated', { cause: reset }));
    const error = await failed;

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toBe('SigningHub document failed: network error: terminated: ECONNRESET');
    expect(requestCancels).toEqual([error]);
  });

  it('errors as cancelled when the caller’s signal fires, and cancels the request', async () => {
    const from = source();
    const caller = new AbortController();
    const { reader, requestCancels } = guarded(from.stream, caller.signal);
    const aborted = rejection(reader.read());
    // The read is under way, waiting for bytes, when the signal fires.
    await vi.advanceTimersByTimeAsync(1);
    caller.abort(new Error('the invocation is over'));
    const error = await aborted;

    expect(error).toBeInstanceOf(SigningHubAbortedError);
    expect(error.message).toBe(
      'SigningHub document failed: cancelled: the invocation is about to time out',
    );
    expect(requestCancels).toEqual([error]);
    expect(from.cancelled).toEqual([error]);
  });

  it('reads nothing once the caller’s signal has fired', async () => {
    const from = source();
    const caller = new AbortController();
    caller.abort();
    from.write(1);
    const { reader } = guarded(from.stream, caller.signal);

    expect(await rejection(reader.read())).toBeInstanceOf(SigningHubAbortedError);
  });

  it('cancels its source and the request once, when its reader gives it up', async () => {
    const from = source();
    const { reader, requestCancels } = guarded(from.stream);
    await reader.cancel('the upload failed');
    await reader.cancel('again').catch(() => undefined);

    expect(requestCancels).toEqual(['the upload failed']);
    expect(from.cancelled).toEqual(['the upload failed']);
  });

  it('leaves no timer and no listener behind, however a wait for bytes ended', async () => {
    const caller = new AbortController();
    const left = () => [vi.getTimerCount(), getEventListeners(caller.signal, 'abort').length];

    const moving = source();
    const { reader } = guarded(moving.stream, caller.signal);
    moving.write(1);
    await reader.read();
    expect(left()).toEqual([0, 0]);
    const failed = rejection(reader.read());
    moving.fail(new TypeError('terminated'));
    await failed;
    expect(left()).toEqual([0, 0]);

    const stalled = rejection(guarded(source().stream, caller.signal).reader.read());
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await stalled;
    expect(left()).toEqual([0, 0]);

    const aborted = rejection(guarded(source().stream, caller.signal).reader.read());
    await vi.advanceTimersByTimeAsync(1);
    caller.abort();
    expect(await aborted).toBeInstanceOf(SigningHubAbortedError);
    expect(left()).toEqual([0, 0]);
  });
});
