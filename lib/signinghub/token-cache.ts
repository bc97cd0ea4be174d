import type { SigningHubAccess } from './access.ts';

/** A bearer token and when to stop using it (epoch ms, by the client's clock). */
export interface CachedToken {
  readonly accessToken: string;
  readonly refreshAt: number;
  /** The access it was obtained with: it goes to that host, and only while the tenant's is alike. */
  readonly access: SigningHubAccess;
}

/** Whose token it is: the tenant, and the scope ('' for the account itself). */
export interface TokenOwner {
  readonly tenant: string;
  readonly scope: string;
}

declare const tokenKeyBrand: unique symbol;

/** Where the cache keeps a token; built by `tokenKey` alone, so every owner maps one way. */
export type TokenKey = string & { readonly [tokenKeyBrand]: true };

export const tokenKey = (owner: TokenOwner): TokenKey =>
  JSON.stringify([owner.tenant, owner.scope]) as TokenKey;

/**
 * Whether a token got with access `a` may be used with access `b` of the same tenant (the key
 * tells tenants apart): the same host, grant type and client id. A secret edited to another host
 * or account makes its tokens unusable; a rotated password or client secret does not (SigningHub
 * refuses the token if it must).
 */
export const sameAccount = (a: SigningHubAccess, b: SigningHubAccess): boolean =>
  a.baseUrl === b.baseUrl && a.grant.type === b.grant.type && a.grant.clientId === b.grant.clientId;

/** Renewed a minute before it ends, or a tenth of its lifetime before when that is shorter. */
const REFRESH_MARGIN_MS = 60_000;

/** A token SigningHub gave for `expiresInSeconds`, to be renewed shortly before that ends. */
export const expiringToken = (
  accessToken: string,
  expiresInSeconds: number,
  now: number,
  access: SigningHubAccess,
): CachedToken => {
  const lifetimeMs = expiresInSeconds * 1000;
  const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10);
  return { accessToken, refreshAt: now + lifetimeMs - margin, access };
};

interface TokenEntry {
  readonly promise: Promise<CachedToken>;
  /** The access the fetch was asked with. */
  readonly access: SigningHubAccess;
  /** Undefined while the fetch is under way. */
  token: CachedToken | undefined;
}

/**
 * How many tokens a cache holds at most. A signer's token is asked for again only while that
 * signer signs more documents, so a long-lived instance meets far more keys than it reuses: full,
 * the cache drops its ended tokens, then its oldest, rather than grow with every signer ever seen
 * (a token is one to two kilobytes; a thousand of them, a megabyte or two).
 */
const TOKEN_CACHE_CAPACITY = 1_000;

/**
 * Tokens by key: one held until its `refreshAt` and used only with an access like the one it was
 * got with, one fetch per key at a time (callers at once with like access share it), and a failed
 * fetch leaves nothing behind, so the next caller fetches again. One cache serves every tenant's
 * client in a process, holding at most `capacity` keys.
 */
export class TokenCache {
  readonly #now: () => number;
  readonly #capacity: number;
  readonly #entries = new Map<TokenKey, TokenEntry>();

  constructor(now: () => number, capacity: number = TOKEN_CACHE_CAPACITY) {
    this.#now = now;
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The token held for the key while it is fresh and got with like access, or the one `fetch` gives. */
  async get(
    key: TokenKey,
    access: SigningHubAccess,
    fetch: () => Promise<CachedToken>,
  ): Promise<CachedToken> {
    const entry = this.#entries.get(key);
    if (entry && this.#usable(entry, access)) return entry.promise;
    const fresh: TokenEntry = { promise: fetch(), access, token: undefined };
    // Set again, the key moves to the end: the Map's order is the order of last fetches.
    this.#entries.delete(key);
    this.#makeRoom();
    this.#entries.set(key, fresh);
    try {
      fresh.token = await fresh.promise;
      return fresh.token;
    } catch (error) {
      // A fetch for other access may have taken the key since: only this one's entry goes.
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      throw error;
    }
  }

  /**
   * Below capacity again: ended tokens go first, then the oldest fetches (a Map keeps order), a
   * tenth of the capacity more than needed, so a full cache is swept once per so many new keys.
   */
  #makeRoom(): void {
    if (this.#entries.size < this.#capacity) return;
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.token !== undefined && entry.token.refreshAt <= now) this.#entries.delete(key);
    }
    const keep = this.#capacity - Math.max(1, Math.floor(this.#capacity / 10));
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= keep) break;
      this.#entries.delete(key);
    }
  }

  #usable(entry: TokenEntry, access: SigningHubAccess): boolean {
    if (entry.token === undefined) return sameAccount(entry.access, access);
    return entry.token.refreshAt > this.#now() && sameAccount(entry.token.access, access);
  }

  /** Drops a token SigningHub refused, unless a newer one already replaced it. */
  forget(key: TokenKey, token: CachedToken): void {
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }
}
