/** A bearer token and when to stop using it (epoch ms, by the client's clock). */
export interface CachedToken {
  readonly accessToken: string;
  readonly refreshAt: number;
}

/** Whose token it is: the scope, '' for the account itself. */
export interface TokenOwner {
  readonly scope: string;
}

declare const tokenKeyBrand: unique symbol;

/** Where the cache keeps a token; built by `tokenKey` alone, so every owner maps one way. */
export type TokenKey = string & { readonly [tokenKeyBrand]: true };

export const tokenKey = (owner: TokenOwner): TokenKey => owner.scope as TokenKey;

/** Renewed a minute before it ends, or a tenth of its lifetime before when that is shorter. */
const REFRESH_MARGIN_MS = 60_000;

/** A token SigningHub gave for `expiresInSeconds`, to be renewed shortly before that ends. */
export const expiringToken = (
  accessToken: string,
  expiresInSeconds: number,
  now: number,
): CachedToken => {
  const lifetimeMs = expiresInSeconds * 1000;
  const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10);
  return { accessToken, refreshAt: now + lifetimeMs - margin };
};

interface TokenEntry {
  readonly promise: Promise<CachedToken>;
  /** Undefined while the fetch is under way. */
  token: CachedToken | undefined;
}

/**
 * Tokens by key: one held until its `refreshAt`, one fetch per key at a time (callers at once
 * share it), and a failed fetch leaves nothing behind, so the next caller fetches again.
 */
export class TokenCache {
  readonly #now: () => number;
  readonly #entries = new Map<TokenKey, TokenEntry>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The token held for the key while it is fresh, or the one `fetch` gives. */
  async get(key: TokenKey, fetch: () => Promise<CachedToken>): Promise<CachedToken> {
    const entry = this.#entries.get(key);
    if (entry && (entry.token === undefined || entry.token.refreshAt > this.#now())) {
      return entry.promise;
    }
    const fresh: TokenEntry = { promise: fetch(), token: undefined };
    this.#entries.set(key, fresh);
    try {
      fresh.token = await fresh.promise;
      return fresh.token;
    } catch (error) {
      // An entry under way is never replaced (it has no token to expire or forget): still ours.
      this.#entries.delete(key);
      throw error;
    }
  }

  /** Drops a token SigningHub refused, unless a newer one already replaced it. */
  forget(key: TokenKey, token: CachedToken): void {
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }
}
