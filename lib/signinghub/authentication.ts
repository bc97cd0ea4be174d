import type { KyInstance, Options } from 'ky';
import type { MetricsPort } from '../metrics.ts';
import type { AccessReader, SigningHubAccess } from './access.ts';
import { AuthenticationError, RetryableSigningHubError } from './errors.ts';
import { exchange } from './exchange.ts';
import { parseJsonObject, readErrorMessage, retryAfterMs } from './responses.ts';
import type { Fetch } from './tls-fetch.ts';
import { type CachedToken, expiringToken, type TokenCache, tokenKey } from './token-cache.ts';

export interface AuthenticatorOptions {
  readonly http: KyInstance;
  readonly access: AccessReader;
  readonly tokens: TokenCache;
  /** One HTTP attempt's timeout. */
  readonly timeoutMs: number;
  readonly now: () => number;
  /** SigningHubAuthentications per authentication request sent (the scope call included). */
  readonly metrics: Pick<MetricsPort, 'count'>;
  /** The fetch for this access's TLS setting. */
  readonly fetchFor: (access: SigningHubAccess) => Fetch;
}

/** What a refusal of credentials could be mended by: the same grant, to the same host. */
const sameCredentials = (a: SigningHubAccess, b: SigningHubAccess): boolean => {
  const [x, y] = [a.grant, b.grant];
  const sameUser =
    x.type === 'password' && y.type === 'password'
      ? x.username === y.username && x.password === y.password
      : x.type === y.type;
  return (
    a.baseUrl === b.baseUrl &&
    x.clientId === y.clientId &&
    x.clientSecret === y.clientSecret &&
    sameUser
  );
};

/** The scope call's path: always v4, whatever version the resources use. */
const SCOPE_PATH = '/v4/authenticate/scope';

/**
 * Tokens for a tenant's account and its signers, by the tenant's grant, kept in the shared cache
 * per (tenant, scope).
 *
 * - `password`: POST {base}/authenticate, form-encoded, with `scope` for a signer.
 * - `client_credentials`: the account's token from POST {base}/authenticate (no user, no scope);
 *   a signer's from POST {base}/v4/authenticate/scope with the account's token as bearer. A 401
 *   there: a new account token, then the scope call once more.
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  /** The token for the scope ('' for the account itself), held or obtained. */
  token(access: SigningHubAccess, scope: string, signal?: AbortSignal): Promise<CachedToken> {
    const key = tokenKey({ tenant: access.tenant, scope });
    // One authentication per (tenant, scope) at a time: concurrent callers share it.
    return this.#options.tokens.get(key, access, () => this.#obtain(access, scope, signal, true));
  }

  /** Drops a token SigningHub refused. */
  forget(access: SigningHubAccess, scope: string, token: CachedToken): void {
    this.#options.tokens.forget(tokenKey({ tenant: access.tenant, scope }), token);
  }

  /**
   * A new token. When SigningHub refuses the credentials, they are read once more past the
   * reader's cache: a secret rotated since is used at once. A token got before a rotation stays
   * in use until it expires or SigningHub refuses it.
   */
  async #obtain(
    access: SigningHubAccess,
    scope: string,
    signal: AbortSignal | undefined,
    readAgain: boolean,
  ): Promise<CachedToken> {
    if (access.grant.type === 'client_credentials' && scope !== '') {
      return this.#scoped(access, scope, signal);
    }
    try {
      return await this.#granted(access, scope, signal);
    } catch (error) {
      if (!readAgain || !(error instanceof AuthenticationError) || error.otpRequired) throw error;
      // Fresher credentials or none: a failed read leaves SigningHub's refusal as the answer.
      const fresh = await this.#options.access({ forceFetch: true }).catch(() => access);
      if (sameCredentials(fresh, access)) throw error;
      return this.#obtain(fresh, scope, signal, false);
    }
  }

  /** POST {base}/authenticate with the access's grant. */
  async #granted(
    access: SigningHubAccess,
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const { grant } = access;
    const form = new URLSearchParams({
      grant_type: grant.type,
      client_id: grant.clientId,
      client_secret: grant.clientSecret,
    });
    if (grant.type === 'password') {
      form.set('username', grant.username);
      form.set('password', grant.password);
      if (scope !== '') form.set('scope', scope);
    }
    const response = await this.#send(
      'authenticate',
      signal,
      access,
      `${access.baseUrl}/authenticate`,
      {
        headers: { accept: 'application/json' },
        body: form,
      },
    );
    return this.#tokenFrom('authenticate', response, access, signal);
  }

  /**
   * A signer's token with client credentials: the account's first, then the scope call. A 401 to
   * it: a new account token, and the scope call once more.
   */
  async #scoped(
    access: SigningHubAccess,
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    let account = await this.token(access, '', signal);
    let response = await this.#scopeCall(account, scope, signal);
    if (response.status === 401) {
      await response.arrayBuffer().catch(() => undefined);
      this.forget(access, '', account);
      account = await this.token(access, '', signal);
      response = await this.#scopeCall(account, scope, signal);
    }
    return this.#tokenFrom('scope', response, account.access, signal);
  }

  /** POST {base}/v4/authenticate/scope as the account, to the host its token came from. */
  #scopeCall(
    account: CachedToken,
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const { access } = account;
    return this.#send('scope', signal, access, `${access.baseUrl}${SCOPE_PATH}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${account.accessToken}` },
      json: { user_email: scope },
    });
  }

  /** One authentication request sent and counted; its transport failures as SigningHub errors. */
  #send(
    operation: 'authenticate' | 'scope',
    signal: AbortSignal | undefined,
    access: SigningHubAccess,
    url: string,
    options: Pick<Options, 'headers' | 'body' | 'json'>,
  ): Promise<Response> {
    const { http, timeoutMs, metrics, fetchFor } = this.#options;
    metrics.count('SigningHubAuthentications');
    return exchange(operation, { signal, timeoutMs }, () =>
      http.post(url, { ...options, fetch: fetchFor(access), ...(signal ? { signal } : {}) }),
    );
  }

  /** The token an authentication answered, or the SigningHub error its status says. */
  async #tokenFrom(
    operation: 'authenticate' | 'scope',
    response: Response,
    access: SigningHubAccess,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const { timeoutMs, now } = this.#options;
    const text = await exchange(operation, { signal, timeoutMs }, () => response.text());
    const { status } = response;
    if (!response.ok) {
      const message = readErrorMessage(text, status);
      if (status === 408 || status === 429 || status >= 500) {
        throw new RetryableSigningHubError(
          operation,
          { httpStatus: status, message },
          retryAfterMs(response.headers.get('retry-after'), now()),
        );
      }
      const otpRequired = operation === 'authenticate' && response.headers.has('x-otp');
      const why = otpRequired
        ? ' (the account needs a one-time password and cannot be used by a machine)'
        : operation === 'scope'
          ? ' (a signer’s token refused: the account may not act for this user)'
          : '';
      throw new AuthenticationError(
        { httpStatus: status, message: `${message}${why}` },
        otpRequired,
      );
    }
    const answer = parseJsonObject(text);
    const accessToken = answer?.access_token;
    const expiresIn = Number(answer?.expires_in);
    if (typeof accessToken !== 'string' || accessToken === '' || !(expiresIn > 0)) {
      throw new AuthenticationError({
        httpStatus: status,
        message: 'the answer had no access_token or expires_in',
      });
    }
    return expiringToken(accessToken, expiresIn, now(), access);
  }
}
