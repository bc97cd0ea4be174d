import { randomBytes } from 'node:crypto';
import type { GrantType } from '../../lib/signinghub/access.ts';
import { isRecord } from './control-bodies.ts';
import { messageReply, type Reply } from './reply.ts';
import type { SimulatorCredentials } from './types.ts';

export const GRANT_TYPES: readonly GrantType[] = ['password', 'client_credentials'];

/**
 * One enterprise's POST /authenticate (password and client_credentials grants), its
 * POST /v4/authenticate/scope, and the bearer tokens they issue.
 */
export interface TokenIssuer {
  /** Answers a form-encoded grant; a valid password grant gets a token for its `scope`. */
  authenticate(form: URLSearchParams): Reply;
  /**
   * Answers a scope call: `bearerScope` is what `scopeOf` gave for its Authorization header,
   * `body` its parsed JSON body (undefined when it was none or not JSON).
   */
  scope(bearerScope: string | undefined, contentType: string | undefined, body: unknown): Reply;
  /**
   * The scope ('' when unscoped) of the bearer token in an Authorization header; undefined
   * without a token or for one that is unknown, revoked or expired.
   */
  scopeOf(authorization: string | undefined): string | undefined;
  revokeAll(): void;
  /** An account that needs a one-time password cannot serve a machine: a password grant answers 403. */
  setOtpRequired(required: boolean): void;
  /** Every token revoked, and the one-time password back to what the enterprise started with. */
  reset(): void;
}

interface IssuedToken {
  scope: string;
  expiresAt: number;
}

const UNAUTHORIZED = messageReply(401, 'Request authorization denied');

export function createTokenIssuer(options: {
  credentials: Readonly<SimulatorCredentials>;
  grants: readonly GrantType[];
  tokenTtlSeconds: number;
  otpRequired: boolean;
}): TokenIssuer {
  const { credentials, grants, tokenTtlSeconds } = options;
  let otpRequired = options.otpRequired;
  const tokens = new Map<string, IssuedToken>();

  const invalid = (description: string): Reply => ({
    status: 400,
    body: { error: 'invalid_grant', error_description: description },
  });
  // An authentication's answer; only the password grant comes with a refresh token.
  const issue = (scope: string, refresh: boolean): Reply => {
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { scope, expiresAt: Date.now() + tokenTtlSeconds * 1000 });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: tokenTtlSeconds,
        ...(refresh ? { refresh_token: randomBytes(32).toString('base64url') } : {}),
      },
    };
  };
  const isAccepted = (grant: string | null): grant is GrantType =>
    (grants as readonly (string | null)[]).includes(grant);

  return {
    authenticate(form) {
      const grant = form.get('grant_type');
      if (!isAccepted(grant)) {
        const accepted = grants.map((name) => `grant_type=${name}`).join(' or ');
        return invalid(`The grant type is not supported; use ${accepted}.`);
      }
      if (
        form.get('client_id') !== credentials.clientId ||
        form.get('client_secret') !== credentials.clientSecret
      ) {
        return invalid('The client id or client secret is not valid.');
      }
      if (grant === 'client_credentials') {
        // Strict on purpose: a client that sends the admin's password here leaks it for nothing.
        if (form.has('username') || form.has('password') || form.has('scope')) {
          return invalid('A client_credentials grant takes no username, password or scope.');
        }
        return issue('', false);
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
      return issue(form.get('scope') ?? '', true);
    },
    scope(bearerScope, contentType, body) {
      if (bearerScope === undefined) return UNAUTHORIZED;
      if (bearerScope !== '') {
        return messageReply(403, "Only the account's own token may ask for a user's scope");
      }
      if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
        return messageReply(415, 'The request content type must be application/json');
      }
      const email = isRecord(body) ? body.user_email : undefined;
      if (typeof email !== 'string' || email.trim() === '') {
        return messageReply(400, 'user_email is required');
      }
      return issue(email, false);
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
    reset() {
      tokens.clear();
      otpRequired = options.otpRequired;
    },
  };
}
