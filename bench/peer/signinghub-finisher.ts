import ky, { isHTTPError } from 'ky';

export interface FinisherSettings {
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly timeoutMs: number;
  readonly credentials: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly username: string;
    readonly password: string;
  };
}

/** A finish SigningHub refused for good; anything else that goes wrong is thrown. */
export type FinishResult =
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed'; readonly httpStatus: number; readonly message: string };

interface Token {
  readonly accessToken: string;
  readonly refreshAt: number;
}

const FINAL_STATUSES = new Set([400, 403, 404]);
const REFRESH_MARGIN_MS = 60_000;

const messageOf = (data: unknown, fallback: string): string => {
  if (typeof data === 'object' && data !== null) {
    for (const key of ['Message', 'message', 'Error', 'error_description']) {
      const value = (data as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
    }
  }
  return fallback;
};

/**
 * SigningHub's finish with ky, as a user of the peer would write it: the same token caching as
 * ours (one password grant per scope, shared by concurrent callers, renewed before expiry).
 */
export const createFinisher = (settings: FinisherSettings) => {
  const http = ky.create({ prefix: settings.baseUrl, timeout: settings.timeoutMs, retry: 0 });
  const tokens = new Map<string, Promise<Token>>();

  const authenticate = async (scope: string): Promise<Token> => {
    const { clientId, clientSecret, username, password } = settings.credentials;
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: clientId,
      client_secret: clientSecret,
      username,
      password,
    });
    if (scope !== '') form.set('scope', scope);
    const answer = await http
      .post('authenticate', { body: form })
      .json<{ access_token: string; expires_in: number }>();
    const lifetimeMs = answer.expires_in * 1000;
    return {
      accessToken: answer.access_token,
      refreshAt: Date.now() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10),
    };
  };

  const token = async (scope: string): Promise<Token> => {
    const cached = tokens.get(scope);
    if (cached) {
      const current = await cached.catch(() => undefined);
      if (current && current.refreshAt > Date.now()) return current;
      if (tokens.get(scope) !== cached) return token(scope);
    }
    const fresh = authenticate(scope);
    tokens.set(scope, fresh);
    fresh.catch(() => tokens.delete(scope));
    return fresh;
  };

  const post = async (packageId: number, scope: string) =>
    http.post(`${settings.apiVersion}/packages/${packageId}/finish`, {
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${(await token(scope)).accessToken}`,
      },
    });

  return {
    async finish(packageId: number, scope: string): Promise<FinishResult> {
      try {
        try {
          await post(packageId, scope);
        } catch (error) {
          if (!isHTTPError(error) || error.response.status !== 401) throw error;
          tokens.delete(scope);
          await post(packageId, scope);
        }
        return { status: 'succeeded' };
      } catch (error) {
        if (isHTTPError(error) && FINAL_STATUSES.has(error.response.status)) {
          const httpStatus = error.response.status;
          return { status: 'failed', httpStatus, message: messageOf(error.data, error.message) };
        }
        throw error;
      }
    },
  };
};
