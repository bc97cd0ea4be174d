import { describe, expect, it } from 'vitest';
import {
  type CachedToken,
  expiringToken,
  TokenCache,
  tokenKey,
} from '../../../lib/signinghub/token-cache.ts';

/** A fetch the test settles by hand, counting the calls. */
const deferredFetch = () => {
  const settles: { resolve: (token: CachedToken) => void; reject: (error: Error) => void }[] = [];
  const fetch = () =>
    new Promise<CachedToken>((resolve, reject) => {
      settles.push({ resolve, reject });
    });
  return { fetch, settles };
};

/** A fetch that answers at once with tokens t1, t2... valid until `refreshAt`. */
const countingFetch = (refreshAt: number) => {
  let calls = 0;
  const fetch = async (): Promise<CachedToken> => {
    calls += 1;
    return { accessToken: `t${calls}`, refreshAt };
  };
  return { fetch, calls: () => calls };
};

const A = tokenKey({ scope: 'a@x.com' });
const B = tokenKey({ scope: 'b@x.com' });

describe('TokenCache', () => {
  it('makes callers at once share one fetch, and hands them all its token', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, settles } = deferredFetch();
    const first = cache.get(A, fetch);
    const second = cache.get(A, fetch);
    expect(settles).toHaveLength(1);
    settles[0]?.resolve({ accessToken: 't', refreshAt: 1_000 });
    expect(await first).toEqual({ accessToken: 't', refreshAt: 1_000 });
    expect(await second).toEqual({ accessToken: 't', refreshAt: 1_000 });
  });

  it('keeps a token per key', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, calls } = countingFetch(1_000);
    expect((await cache.get(A, fetch)).accessToken).toBe('t1');
    expect((await cache.get(B, fetch)).accessToken).toBe('t2');
    expect((await cache.get(A, fetch)).accessToken).toBe('t1');
    expect(calls()).toBe(2);
  });

  it('holds a token until its refreshAt, and fetches anew from then on', async () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    const { fetch, calls } = countingFetch(1_000);
    await cache.get(A, fetch);
    now = 999;
    expect((await cache.get(A, fetch)).accessToken).toBe('t1');
    now = 1_000;
    expect((await cache.get(A, fetch)).accessToken).toBe('t2');
    expect(calls()).toBe(2);
  });

  it('keeps nothing of a failed fetch: its callers get the error, the next one fetches again', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, settles } = deferredFetch();
    const first = cache.get(A, fetch);
    const second = cache.get(A, fetch);
    settles[0]?.reject(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await expect(second).rejects.toThrow('refused');
    const third = cache.get(A, fetch);
    expect(settles).toHaveLength(2);
    settles[1]?.resolve({ accessToken: 't', refreshAt: 1_000 });
    expect((await third).accessToken).toBe('t');
  });

  it('forgets a refused token, but not a newer one that replaced it', async () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    const { fetch, calls } = countingFetch(1_000);
    const old = await cache.get(A, fetch);
    now = 1_000;
    const newer = await cache.get(A, fetch);
    cache.forget(A, old);
    now = 0;
    expect(await cache.get(A, fetch)).toBe(newer);
    cache.forget(A, newer);
    expect((await cache.get(A, fetch)).accessToken).toBe('t3');
    expect(calls()).toBe(3);
  });
});

describe('expiringToken', () => {
  it('is renewed a minute before a long lifetime ends', () => {
    expect(expiringToken('t', 600, 1_000_000)).toEqual({
      accessToken: 't',
      refreshAt: 1_000_000 + 600_000 - 60_000,
    });
  });

  it('is renewed a tenth of a short lifetime before it ends', () => {
    expect(expiringToken('t', 100, 1_000_000).refreshAt).toBe(1_000_000 + 100_000 - 10_000);
  });
});

describe('tokenKey', () => {
  it('tells scopes apart, the account itself included', () => {
    const keys = new Set(['', 'a@x.com', 'b@x.com'].map((scope) => tokenKey({ scope })));
    expect(keys.size).toBe(3);
    expect(tokenKey({ scope: 'a@x.com' })).toBe(A);
  });
});
