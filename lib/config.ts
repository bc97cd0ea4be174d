import { ConfigError } from './errors.ts';

export type ApiVersion = 'v3' | 'v4';

export interface SigningHubCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/** Where credentials come from: the environment itself, or a Secrets Manager secret by name. */
export type CredentialsSource =
  | { readonly kind: 'env'; readonly credentials: SigningHubCredentials }
  | {
      readonly kind: 'secret';
      readonly secretId: string;
      readonly partial: Partial<SigningHubCredentials>;
    };

export type CallbackSecretSource =
  | { readonly kind: 'env'; readonly secret: string }
  | { readonly kind: 'secret'; readonly secretId: string };

/** Where the table is: every function but `publish` reads it. */
export interface StoreConfig {
  readonly tableName: string;
  readonly dynamoDbEndpoint: string | undefined;
}

export interface SigningHubConfig {
  readonly baseUrl: string;
  readonly apiVersion: ApiVersion;
  readonly timeoutMs: number;
  readonly credentials: CredentialsSource;
  /** How long credentials read from Secrets Manager are used before they are read again. */
  readonly secretMaxAgeSeconds: number;
}

/** What `finish` reads: the table and SigningHub. */
export interface FinishConfig extends StoreConfig {
  readonly signingHub: SigningHubConfig;
}

/** What `callback` reads: the finish settings and the secret in its path. */
export interface CallbackConfig extends FinishConfig {
  readonly callbackSecret: CallbackSecretSource;
  /** How long the callback secret read from Secrets Manager is used before it is read again. */
  readonly secretMaxAgeSeconds: number;
}

/** What `reconcile` reads: the finish settings and how old an open package must be. */
export interface ReconcileConfig extends FinishConfig {
  readonly reconcileAfterSeconds: number;
}

/** What `publish` reads: only the bus; it never talks to SigningHub or the table. */
export interface PublisherConfig {
  readonly eventBusName: string | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

type CredentialField = keyof SigningHubCredentials;

/** Each credential's name: the variable that gives it, and its key in a secret's JSON. */
export const CREDENTIAL_NAMES = {
  clientId: { variable: 'SIGNINGHUB_CLIENT_ID', secretKey: 'client_id' },
  clientSecret: { variable: 'SIGNINGHUB_CLIENT_SECRET', secretKey: 'client_secret' },
  username: { variable: 'SIGNINGHUB_USERNAME', secretKey: 'username' },
  password: { variable: 'SIGNINGHUB_PASSWORD', secretKey: 'password' },
} as const satisfies Record<CredentialField, { variable: string; secretKey: string }>;

/**
 * The credentials `given` has, field by field (undefined: none): `partial`, what it gave;
 * `missing`, the fields it did not, in the table's order; `credentials` once it gave them all.
 */
export const collectCredentials = (given: (field: CredentialField) => string | undefined) => {
  const partial: Partial<Record<CredentialField, string>> = {};
  const missing: CredentialField[] = [];
  for (const field of Object.keys(CREDENTIAL_NAMES) as CredentialField[]) {
    const value = given(field);
    if (value === undefined) missing.push(field);
    else partial[field] = value;
  }
  const { clientId, clientSecret, username, password } = partial;
  const credentials: SigningHubCredentials | undefined =
    clientId && clientSecret && username && password
      ? { clientId, clientSecret, username, password }
      : undefined;
  return { partial, missing, credentials };
};

const nonEmpty = (env: Environment, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const required = (env: Environment, name: string): string => {
  const value = nonEmpty(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
};

const positiveInteger = (env: Environment, name: string, fallback: number): number => {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
};

/** A whole number of seconds, 0 included. */
const wholeNumber = (env: Environment, name: string, fallback: number): number => {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^(0|[1-9][0-9]*)$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, `must be a whole number (0 or more), got "${raw}"`);
  }
  return Number(raw);
};

const httpUrl = (env: Environment, name: string, fallback: string): string => {
  const raw = nonEmpty(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(name, 'must not carry credentials, a query or a fragment');
  }
  return url.href.replace(/\/+$/, '');
};

const apiVersion = (env: Environment): ApiVersion => {
  const raw = nonEmpty(env, 'SIGNINGHUB_API_VERSION') ?? 'v3';
  if (raw !== 'v3' && raw !== 'v4') {
    throw new ConfigError('SIGNINGHUB_API_VERSION', `must be v3 or v4, got "${raw}"`);
  }
  return raw;
};

const credentialsSource = (env: Environment): CredentialsSource => {
  const { partial, missing, credentials } = collectCredentials((field) =>
    nonEmpty(env, CREDENTIAL_NAMES[field].variable),
  );
  if (credentials) return { kind: 'env', credentials };
  const secretId = nonEmpty(env, 'SIGNINGHUB_CREDENTIALS_SECRET');
  if (secretId === undefined) {
    const variables = missing.map((field) => CREDENTIAL_NAMES[field].variable);
    throw new ConfigError(
      'SIGNINGHUB_CREDENTIALS_SECRET',
      `is required when ${variables.join(', ')} ${variables.length === 1 ? 'is' : 'are'} not set`,
    );
  }
  return { kind: 'secret', secretId, partial };
};

const callbackSecretSource = (env: Environment): CallbackSecretSource => {
  const secret = env.CALLBACK_SECRET;
  if (secret !== undefined && secret !== '') {
    if (secret.length < 16)
      throw new ConfigError('CALLBACK_SECRET', 'must be at least 16 characters');
    if (!/^[A-Za-z0-9._~-]+$/.test(secret)) {
      throw new ConfigError(
        'CALLBACK_SECRET',
        'must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
      );
    }
    return { kind: 'env', secret };
  }
  const secretId = nonEmpty(env, 'CALLBACK_SECRET_ID');
  if (secretId === undefined) {
    throw new ConfigError('CALLBACK_SECRET', 'is required (or CALLBACK_SECRET_ID naming a secret)');
  }
  return { kind: 'secret', secretId };
};

/**
 * Seconds a value read from Secrets Manager is kept: Powertools Parameters' own variable, checked
 * here so a bad value stops the function at start. Five minutes by default, as the Secrets Manager
 * Lambda extension keeps a secret: a rotation is seen within that time, and a warm function reads
 * a secret about once per five minutes instead of on nearly every call (Powertools' 5 s).
 * 0: read on every call.
 */
const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

const secretMaxAge = (env: Environment): number =>
  wholeNumber(env, 'POWERTOOLS_PARAMETERS_MAX_AGE', DEFAULT_SECRET_MAX_AGE_SECONDS);

/** One HTTP attempt's timeout when SIGNINGHUB_TIMEOUT_MS is unset. */
export const DEFAULT_SIGNINGHUB_TIMEOUT_MS = 10_000;

const storeConfig = (env: Environment): StoreConfig => {
  const dynamoDbEndpoint = nonEmpty(env, 'DYNAMODB_ENDPOINT');
  if (dynamoDbEndpoint !== undefined) httpUrl(env, 'DYNAMODB_ENDPOINT', '');
  return { tableName: required(env, 'TABLE_NAME'), dynamoDbEndpoint };
};

const signingHubConfig = (env: Environment): SigningHubConfig => ({
  baseUrl: httpUrl(env, 'SIGNINGHUB_BASE_URL', 'https://api.signinghub.com'),
  apiVersion: apiVersion(env),
  timeoutMs: positiveInteger(env, 'SIGNINGHUB_TIMEOUT_MS', DEFAULT_SIGNINGHUB_TIMEOUT_MS),
  credentials: credentialsSource(env),
  secretMaxAgeSeconds: secretMaxAge(env),
});

/*
 * One loader per function, each reading only the settings that function uses, so a mistake in
 * one function's setting can never stop another. A bad setting throws a ConfigError naming it.
 */

export const loadFinishConfig = (env: Environment): FinishConfig =>
  Object.freeze({ ...storeConfig(env), signingHub: signingHubConfig(env) });

export const loadCallbackConfig = (env: Environment): CallbackConfig =>
  Object.freeze({
    ...loadFinishConfig(env),
    callbackSecret: callbackSecretSource(env),
    secretMaxAgeSeconds: secretMaxAge(env),
  });

export const loadReconcileConfig = (env: Environment): ReconcileConfig =>
  Object.freeze({
    ...loadFinishConfig(env),
    reconcileAfterSeconds: wholeNumber(env, 'RECONCILE_AFTER_SECONDS', 900),
  });

export const loadPublisherConfig = (env: Environment): PublisherConfig =>
  Object.freeze({ eventBusName: nonEmpty(env, 'EVENT_BUS_NAME') });
