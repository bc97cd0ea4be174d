import { randomBytes } from 'node:crypto';
import type { Reply } from './reply.ts';
import type { SimulatorCredentials } from './types.ts';

/** SigningHub's POST /authenticate (password grant) and the bearer tokens it issues. */
export interface TokenIssuer {
  /** Answers a form-encoded password grant; a valid one gets a token for its `scope`. */
  authenticate(form: URLSearchParams): Reply;
  /**
   * The scope ('' when unscoped) of the bearer token in an Authorization header; undefined
   * without a token or for one that is unknown, revoked or expired.
   */
  scopeOf(authorization: string | undefined): string | undefined;
  revokeAll(): void;
  /** An account that needs a one-time password cannot serve a machine: authenticate answers 403. */
  setOtpRequired(required: boolean): void;
}

interface IssuedToken {
  scope: string;
  expiresAt: number;
}

export function createTokenIssuer(options: {
  credentials: Readonly<SimulatorCredentials>;
  tokenTtlSeconds: number;
  otpRequired: boolean;
}): TokenIssuer {
  const { credentials, tokenTtlSeconds } = options;
  let otpRequired = options.otpRequired;
  const tokens = new Map<string, IssuedToken>();

  const invalid = (description: string): Reply => ({
    status: 400,
    body: { error: 'invalid_grant', error_description: description },
  });

  return {
    authenticate(form) {
      if (form.get('grant_type') !== 'password') {
        return invalid('The grant type is not supported; use grant_type=password.');
      }
      if (
        form.get('client_id') !== credentials.clientId ||
        form.get('client_secret') !== credentials.clientSecret
      ) {
        return invalid('The client id or client secret is not valid.');
      }
      if (
        form.get('username') !== credentials.username ||
        form.get('password') !== credentials.password
      ) {
        return invalid('The user name or password is incorrect.');
      }
      if (otpRequired) {
        return {
          status: 403,
          headers: { 'x-otp': 'true', 'x-mobile-number': '******1234' },
          body: {
            error: 'invalid_grant',
            error_description: 'A one-time password has been sent to your mobile number.',
          },
        };
      }
      const accessToken = randomBytes(32).toString('base64url');
      tokens.set(accessToken, {
        scope: form.get('scope') ?? '',
        expiresAt: Date.now() + tokenTtlSeconds * 1000,
      });
      return {
        status: 200,
        body: {
          access_token: accessToken,
          token_type: 'bearer',
          expires_in: tokenTtlSeconds,
          refresh_token: randomBytes(32).toString('base64url'),
        },
      };
    },
    scopeOf(authorization) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      if (token === undefined) return undefined;
      const issued = tokens.get(token);
      if (!issued || Date.now() >= issued.expiresAt) return undefined;
      return issued.scope;
    },
    revokeAll() {
      tokens.clear();
    },
    setOtpRequired(required) {
      otpRequired = required;
    },
  };
}
