import { NetworkError, TimeoutError } from 'ky';
import { describe, expect, it } from 'vitest';
import {
  RetryableSigningHubError,
  SigningHubAbortedError,
} from '../../../lib/signinghub/errors.ts';
import { exchange } from '../../../lib/signinghub/exchange.ts';

const REQUEST = new Request('http://127.0.0.1:9/v3/packages/1/finish', { method: 'POST' });
const NO_SIGNAL = { signal: undefined, timeoutMs: 500 };

/** What `exchange` throws when `send` throws `thrown`. */
const failureOf = async (
  thrown: unknown,
  options: { signal: AbortSignal | undefined; timeoutMs: number } = NO_SIGNAL,
): Promise<unknown> =>
  exchange('finish', options, () => Promise.reject(thrown)).then(
    () => expect.unreachable('exchange resolved'),
    (error: unknown) => error,
  );

const withCode = (message: string, code: string, cause?: Error): Error =>
  Object.assign(new Error(message, cause ? { cause } : undefined), { code });

describe('exchange', () => {
  it('answers what send answers', async () => {
    await expect(exchange('finish', NO_SIGNAL, async () => 42)).resolves.toBe(42);
  });

  it('takes any failure under an aborted signal as cancelled, keeping the cause', async () => {
    const controller = new AbortController();
    controller.abort();
    const thrown = new TimeoutError(REQUEST);
    const error = await failureOf(thrown, { signal: controller.signal, timeoutMs: 500 });
    expect(error).toBeInstanceOf(SigningHubAbortedError);
    expect(error).toMatchObject({
      signingHubMessage: 'cancelled: the invocation is about to time out',
      cause: thrown,
    });
  });

  it('takes a timeout as retryable, naming the timeout and keeping the cause', async () => {
    const thrown = new TimeoutError(REQUEST);
    const error = await failureOf(thrown);
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ signingHubMessage: 'no answer within 500 ms', cause: thrown });
  });

  it.each([
    [
      'a network error by the codes of its causes',
      new NetworkError(REQUEST, {
        cause: withCode('socket hang up', 'ECONNRESET', withCode('read', 'EPIPE')),
      }),
      'network error: ECONNRESET: EPIPE',
    ],
    [
      'a cause without a code by its message',
      new NetworkError(REQUEST, {
        cause: new Error('fetch failed', { cause: new Error('other side closed') }),
      }),
      'network error: fetch failed: other side closed',
    ],
    [
      'any other error by its own code',
      withCode('refused', 'ECONNREFUSED'),
      'network error: ECONNREFUSED',
    ],
    [
      'a code that is not a string by the message',
      Object.assign(new Error('odd'), { code: 7 }),
      'network error: odd',
    ],
    ['what is not an Error as unknown', 'a string', 'network error: unknown'],
  ])('describes %s', async (_, thrown, message) => {
    const error = await failureOf(thrown);
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ signingHubMessage: message, cause: thrown });
  });
});
