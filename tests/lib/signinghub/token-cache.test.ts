import { describe, expect, it } from 'vitest';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import {
  type CachedToken,
  expiringToken,
  TokenCache,
  tokenKey,
} from '../../../lib/signinghub/token-cache.ts';

const GRANT = {
  type: 'password',
  clientId: 'c',
  clientSecret: 's',
  username: 'u',
  password: 'p',
} as const;
const ACCESS: SigningHubAccess = {
  tenant: 'default',
  baseUrl: 'https://sh.example',
  apiVersion: 'v3',
  grant: GRANT,
  tls: undefined,
};

/** A fetch the test settles by hand, counting the calls. */
const deferredFetch = () => {
  const settles: { resolve: (token: CachedToken) => void; reject: (error: Error) => void }[] = [];
  const fetch = () =>
    new Promise<CachedToken>((resolve, reject) => {
      settles.push({ resolve, reject });
    });
  return { fetch, settles };
};

/** A fetch that answers at once with tokens t1, t2... valid until `refreshAt`, got with `access`. */
const countingFetch = (refreshAt: number, access: SigningHubAccess = ACCESS) => {
  let calls = 0;
  const fetch = async (): Promise<CachedToken> => {
    calls += 1;
    return { accessToken: `t${calls}`, refreshAt, access };
  };
  return { fetch, calls: () => calls };
};

/** A token got with ACCESS. */
const token = (accessToken: string, refreshAt: number): CachedToken => ({
  accessToken,
  refreshAt,
  access: ACCESS,
});

const A = tokenKey({ tenant: 'default', scope: 'a@x.com' });
const B = tokenKey({ tenant: 'default', scope: 'b@x.com' });

describe('TokenCache', () => {
  it('makes callers at once share one fetch, and hands them all its token', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, settles } = deferredFetch();
    const first = cache.get(A, ACCESS, fetch);
    const second = cache.get(A, ACCESS, fetch);
    expect(settles).toHaveLength(1);
    settles[0]?.resolve(token('t', 1_000));
    expect(await first).toEqual(token('t', 1_000));
    expect(await second).toEqual(token('t', 1_000));
  });

  it('keeps a token per key', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, calls } = countingFetch(1_000);
    expect((await cache.get(A, ACCESS, fetch)).accessToken).toBe('t1');
    expect((await cache.get(B, ACCESS, fetch)).accessToken).toBe('t2');
    expect((await cache.get(A, ACCESS, fetch)).accessToken).toBe('t1');
    expect(calls()).toBe(2);
  });

  it('holds a token until its refreshAt, and fetches anew from then on', async () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    const { fetch, calls } = countingFetch(1_000);
    await cache.get(A, ACCESS, fetch);
    now = 999;
    expect((await cache.get(A, ACCESS, fetch)).accessToken).toBe('t1');
    now = 1_000;
    expect((await cache.get(A, ACCESS, fetch)).accessToken).toBe('t2');
    expect(calls()).toBe(2);
  });

  it('keeps nothing of a failed fetch: its callers get the error, the next one fetches again', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, settles } = deferredFetch();
    const first = cache.get(A, ACCESS, fetch);
    const second = cache.get(A, ACCESS, fetch);
    settles[0]?.reject(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await expect(second).rejects.toThrow('refused');
    const third = cache.get(A, ACCESS, fetch);
    expect(settles).toHaveLength(2);
    settles[1]?.resolve(token('t', 1_000));
    expect((await third).accessToken).toBe('t');
  });

  it('forgets a refused token, but not a newer one that replaced it', async () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    const { fetch, calls } = countingFetch(1_000);
    const old = await cache.get(A, ACCESS, fetch);
    now = 1_000;
    const newer = await cache.get(A, ACCESS, fetch);
    cache.forget(A, old);
    now = 0;
    expect(await cache.get(A, ACCESS, fetch)).toBe(newer);
    cache.forget(A, newer);
    expect((await cache.get(A, ACCESS, fetch)).accessToken).toBe('t3');
    expect(calls()).toBe(3);
  });
});

describe('expiringToken', () => {
  it('is renewed a minute before a long lifetime ends', () => {
    expect(expiringToken('t', 600, 1_000_000, ACCESS)).toEqual({
      accessToken: 't',
      refreshAt: 1_000_000 + 600_000 - 60_000,
      access: ACCESS,
    });
  });

  it('is renewed a tenth of a short lifetime before it ends', () => {
    expect(expiringToken('t', 100, 1_000_000, ACCESS).refreshAt).toBe(1_000_000 + 100_000 - 10_000);
  });
});

describe('tokenKey', () => {
  it('tells scopes apart, the account itself included', () => {
    const keys = new Set(
      ['', 'a@x.com', 'b@x.com'].map((scope) => tokenKey({ tenant: 'default', scope })),
    );
    expect(keys.size).toBe(3);
    expect(tokenKey({ tenant: 'default', scope: 'a@x.com' })).toBe(A);
  });

  it('tells tenants apart, whatever their scopes spell', () => {
    const owners = [
      { tenant: 'a', scope: '' },
      { tenant: 'b', scope: '' },
      { tenant: 'a', scope: 'b' },
      { tenant: 'a-b', scope: '' },
      { tenant: 'a', scope: '-b' },
    ];
    expect(new Set(owners.map(tokenKey)).size).toBe(owners.length);
  });
});

describe('TokenCache and the access a token was got with', () => {
  const KEY = tokenKey({ tenant: 'default', scope: '' });

  it.each([
    ['base URL', { baseUrl: 'https://other.example' }],
    ['grant type', { grant: { type: 'client_credentials', clientId: 'c', clientSecret: 's' } }],
    ['client id', { grant: { ...GRANT, clientId: 'another-client' } }],
  ] as const)('fetches anew when the %s changed since', async (_, change) => {
    const cache = new TokenCache(() => 0);
    const { fetch, calls } = countingFetch(1_000);
    await cache.get(KEY, ACCESS, fetch);
    const changed = { ...ACCESS, ...change };
    expect((await cache.get(KEY, changed, countingFetch(1_000, changed).fetch)).access).toBe(
      changed,
    );
    expect(calls()).toBe(1);
  });

  it('keeps the token when only the password, the client secret or the TLS setting changed', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, calls } = countingFetch(1_000);
    const held = await cache.get(KEY, ACCESS, fetch);
    const edited: SigningHubAccess = {
      ...ACCESS,
      grant: { ...GRANT, clientSecret: 'rotated', password: 'rotated' },
      tls: { certificate: 'c', key: 'k', ca: undefined },
    };
    expect(await cache.get(KEY, edited, fetch)).toBe(held);
    expect(calls()).toBe(1);
  });

  it('does not share a fetch under way with a caller of other access', async () => {
    const cache = new TokenCache(() => 0);
    const { fetch, settles } = deferredFetch();
    const moved = { ...ACCESS, baseUrl: 'https://moved.example' };
    const first = cache.get(KEY, ACCESS, fetch);
    const second = cache.get(KEY, moved, fetch);
    expect(settles).toHaveLength(2);
    settles[0]?.reject(new Error('refused'));
    settles[1]?.resolve({ accessToken: 'm', refreshAt: 1_000, access: moved });
    await expect(first).rejects.toThrow('refused');
    expect((await second).accessToken).toBe('m');
    // The failed first fetch did not take the second's token with it.
    const third = cache.get(KEY, moved, fetch);
    expect(settles).toHaveLength(2);
    expect((await third).accessToken).toBe('m');
  });

  describe('full', () => {
    const key = (scope: string) => tokenKey({ tenant: 'default', scope });
    /** Asks for each scope in turn with a fetch of tokens valid until `refreshAt`. */
    const ask = async (cache: TokenCache, scopes: string[], refreshAt: number) => {
      const fetched: string[] = [];
      for (const scope of scopes) {
        await cache.get(key(scope), ACCESS, async () => {
          fetched.push(scope);
          return token(`t-${scope}`, refreshAt);
        });
      }
      return fetched;
    };

    it('holds at most its capacity, the oldest fetches going first', async () => {
      const cache = new TokenCache(() => 0, 3);
      expect(await ask(cache, ['a', 'b', 'c', 'd', 'e'], 1_000)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(cache.size).toBe(3);
      // c, d and e are held; a and b went to make room.
      expect(await ask(cache, ['c', 'd', 'e'], 1_000)).toEqual([]);
      expect(await ask(cache, ['a'], 1_000)).toEqual(['a']);
    });

    it('drops its ended tokens before a live one, however old', async () => {
      let now = 0;
      const cache = new TokenCache(() => now, 3);
      await ask(cache, ['live'], 10_000);
      await ask(cache, ['ended-1', 'ended-2'], 500);
      now = 1_000;
      expect(await ask(cache, ['new'], 10_000)).toEqual(['new']);
      expect(cache.size).toBe(2);
      expect(await ask(cache, ['live'], 10_000)).toEqual([]);
    });

    it('counts a key fetched again as new', async () => {
      let now = 0;
      const cache = new TokenCache(() => now, 3);
      await ask(cache, ['a'], 500);
      await ask(cache, ['b'], 10_000);
      now = 1_000;
      // a ended and is fetched again: b is now the oldest, and goes for d.
      expect(await ask(cache, ['a', 'c', 'd'], 10_000)).toEqual(['a', 'c', 'd']);
      expect(await ask(cache, ['a', 'c', 'd'], 10_000)).toEqual([]);
      expect(await ask(cache, ['b'], 10_000)).toEqual(['b']);
    });

    it('makes room for a tenth of its capacity at once, so it is not swept at every new key', async () => {
      const cache = new TokenCache(() => 0, 20);
      const scopes = Array.from({ length: 21 }, (_, i) => `s${i}`);
      await ask(cache, scopes, 1_000);
      // The 21st key found 20 held: the two oldest went, then it came in.
      expect(cache.size).toBe(19);
      // s0 fills it; s1 finds it full, and s2 and s3 go.
      expect(await ask(cache, ['s0', 's1'], 1_000)).toEqual(['s0', 's1']);
      expect(cache.size).toBe(19);
      expect(await ask(cache, [...scopes.slice(4), 's0', 's1'], 1_000)).toEqual([]);
      expect(await ask(cache, ['s3'], 1_000)).toEqual(['s3']);
    });

    it('holds one token at least, whatever capacity it was given', async () => {
      const cache = new TokenCache(() => 0, 0);
      await ask(cache, ['a'], 1_000);
      expect(await ask(cache, ['a'], 1_000)).toEqual([]);
    });
  });
});
