import { ConfigError } from './errors.ts';
import type { Grant, GrantType } from './signinghub/access.ts';
import { CREDENTIAL_NAMES, collectGrant, isGrantType } from './tenants/grant-fields.ts';

export type ApiVersion = 'v3' | 'v4';

export interface SigningHubCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Where the default tenant's credentials come from: the environment itself, or a Secrets Manager
 * secret by name, whose keys the variables that are set replace (`grantType`: SIGNINGHUB_GRANT_TYPE
 * when set, else the secret's `grant_type`, else `password`).
 */
export type CredentialsSource =
  | { readonly kind: 'env'; readonly grant: Grant }
  | {
      readonly kind: 'secret';
      readonly secretId: string;
      readonly partial: Partial<SigningHubCredentials>;
      readonly grantType: GrantType | undefined;
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
  /**
   * Where the tenants' settings are: the secret `<prefix><tenant>`, one per tenant. Undefined: no
   * tenant but `default` exists, and no tenant secret is ever read.
   */
  readonly tenantsSecretPrefix: string | undefined;
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

const NOT_HTTP = 'must be an absolute http(s) URL';

/**
 * The base URL `raw` names, without its trailing slashes, or the problem with it in words that
 * never quote it (a tenant's settings are secret): SIGNINGHUB_BASE_URL's rules, and a tenant's
 * `base_url`'s.
 */
export const parseBaseUrl = (raw: string): { url: string } | { problem: string } => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: NOT_HTTP };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: NOT_HTTP };
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return { problem: 'must not carry credentials, a query or a fragment' };
  }
  return { url: url.href.replace(/\/+$/, '') };
};

const httpUrl = (env: Environment, name: string, fallback: string): string => {
  const raw = nonEmpty(env, name) ?? fallback;
  const parsed = parseBaseUrl(raw);
  if ('url' in parsed) return parsed.url;
  // A variable's value is no secret, and the operator sees what was read.
  const got = parsed.problem === NOT_HTTP ? `, got "${raw}"` : '';
  throw new ConfigError(name, `${parsed.problem}${got}`);
};

const apiVersion = (env: Environment): ApiVersion => {
  const raw = nonEmpty(env, 'SIGNINGHUB_API_VERSION') ?? 'v3';
  if (raw !== 'v3' && raw !== 'v4') {
    throw new ConfigError('SIGNINGHUB_API_VERSION', `must be v3 or v4, got "${raw}"`);
  }
  return raw;
};

/** SIGNINGHUB_GRANT_TYPE; undefined when unset (the secret's `grant_type`, else `password`). */
const grantType = (env: Environment): GrantType | undefined => {
  const raw = nonEmpty(env, 'SIGNINGHUB_GRANT_TYPE');
  if (raw === undefined || isGrantType(raw)) return raw;
  throw new ConfigError(
    'SIGNINGHUB_GRANT_TYPE',
    `must be password or client_credentials, got "${raw}"`,
  );
};

const credentialsSource = (env: Environment): CredentialsSource => {
  const type = grantType(env);
  const { partial, missing, grant } = collectGrant(type ?? 'password', (field) =>
    nonEmpty(env, CREDENTIAL_NAMES[field].variable),
  );
  if (grant) return { kind: 'env', grant };
  const secretId = nonEmpty(env, 'SIGNINGHUB_CREDENTIALS_SECRET');
  if (secretId === undefined) {
    const variables = missing.map((field) => CREDENTIAL_NAMES[field].variable);
    throw new ConfigError(
      'SIGNINGHUB_CREDENTIALS_SECRET',
      `is required when ${variables.join(', ')} ${variables.length === 1 ? 'is' : 'are'} not set`,
    );
  }
  return { kind: 'secret', secretId, partial, grantType: type };
};

/**
 * What is wrong with a callback secret, in words that never quote it, or undefined: CALLBACK_SECRET's
 * rules, and a tenant's `callback_secret`'s.
 */
export const callbackSecretProblem = (secret: string): string | undefined => {
  if (secret.length < 16) return 'must be at least 16 characters';
  if (!/^[A-Za-z0-9._~-]+$/.test(secret)) {
    return 'must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)';
  }
  return undefined;
};

const callbackSecretSource = (env: Environment): CallbackSecretSource => {
  const secret = env.CALLBACK_SECRET;
  if (secret !== undefined && secret !== '') {
    const problem = callbackSecretProblem(secret);
    if (problem !== undefined) throw new ConfigError('CALLBACK_SECRET', problem);
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

/** Characters a secret's name may hold (Secrets Manager's own rule). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/** TENANTS_SECRET_PREFIX: unset or empty, tenants off; otherwise a path ending in `/`. */
const tenantsSecretPrefix = (env: Environment): string | undefined => {
  const prefix = nonEmpty(env, 'TENANTS_SECRET_PREFIX');
  if (prefix === undefined) return undefined;
  if (!SECRET_NAME.test(prefix)) {
    throw new ConfigError(
      'TENANTS_SECRET_PREFIX',
      `must use only the characters of a secret's name (A-Z a-z 0-9 / _ + = . @ -), got "${prefix}"`,
    );
  }
  if (!prefix.endsWith('/')) {
    throw new ConfigError('TENANTS_SECRET_PREFIX', `must end with "/", got "${prefix}"`);
  }
  return prefix;
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
  Object.freeze({
    ...storeConfig(env),
    signingHub: signingHubConfig(env),
    tenantsSecretPrefix: tenantsSecretPrefix(env),
  });

/** What the finish function alone reads besides: its queue, to hand messages back for longer. */
export interface FinishFunctionConfig extends FinishConfig {
  /** SIGNING_EVENTS_QUEUE_URL; unset: messages come back after the queue's own visibility timeout. */
  readonly signingEventsQueueUrl: string | undefined;
}

const queueUrl = (env: Environment, name: string): string | undefined => {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(name, `must be a queue's http(s) URL, got "${raw}"`);
  }
  return raw;
};

export const loadFinishFunctionConfig = (env: Environment): FinishFunctionConfig =>
  Object.freeze({
    ...loadFinishConfig(env),
    signingEventsQueueUrl: queueUrl(env, 'SIGNING_EVENTS_QUEUE_URL'),
  });

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
