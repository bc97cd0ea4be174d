import type { SigningHubCredentials } from '../config.ts';
import type { Grant, GrantType } from '../signinghub/access.ts';

/*
 * The fields of a grant (lib/signinghub/access.ts), each with the variable that gives it for the
 * default tenant and its key in a secret's JSON (the credentials secret's and a tenant's).
 */

export type CredentialField = keyof SigningHubCredentials;

/** Each credential's name: the variable that gives it, and its key in a secret's JSON. */
export const CREDENTIAL_NAMES = {
  clientId: { variable: 'SIGNINGHUB_CLIENT_ID', secretKey: 'client_id' },
  clientSecret: { variable: 'SIGNINGHUB_CLIENT_SECRET', secretKey: 'client_secret' },
  username: { variable: 'SIGNINGHUB_USERNAME', secretKey: 'username' },
  password: { variable: 'SIGNINGHUB_PASSWORD', secretKey: 'password' },
} as const satisfies Record<CredentialField, { variable: string; secretKey: string }>;

/** The fields a grant needs: client credentials need no account. */
const FIELDS_OF_GRANT: Readonly<Record<GrantType, readonly CredentialField[]>> = {
  password: ['clientId', 'clientSecret', 'username', 'password'],
  client_credentials: ['clientId', 'clientSecret'],
};

/**
 * The grant of `type` from what `given` has, field by field (undefined: none): `partial`, every
 * field it gave; `missing`, the fields the grant needs that it did not, in the table's order;
 * `grant` once it gave them all.
 */
export const collectGrant = (
  type: GrantType,
  given: (field: CredentialField) => string | undefined,
) => {
  const partial: Partial<Record<CredentialField, string>> = {};
  for (const field of Object.keys(CREDENTIAL_NAMES) as CredentialField[]) {
    const value = given(field);
    if (value !== undefined) partial[field] = value;
  }
  const missing = FIELDS_OF_GRANT[type].filter((field) => partial[field] === undefined);
  const { clientId = '', clientSecret = '', username = '', password = '' } = partial;
  const grant: Grant | undefined =
    missing.length > 0
      ? undefined
      : type === 'password'
        ? { type, clientId, clientSecret, username, password }
        : { type, clientId, clientSecret };
  return { partial, missing, grant };
};

const GRANT_TYPES: readonly string[] = ['password', 'client_credentials'] satisfies GrantType[];

export const isGrantType = (value: unknown): value is GrantType =>
  typeof value === 'string' && GRANT_TYPES.includes(value);
