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

export interface Config {
  readonly tableName: string;
  readonly dynamoDbEndpoint: string | undefined;
  readonly signingHub: {
    readonly baseUrl: string;
    readonly apiVersion: ApiVersion;
    readonly timeoutMs: number;
    readonly credentials: CredentialsSource;
  };
  readonly callbackSecret: CallbackSecretSource | undefined;
  readonly eventBusName: string | undefined;
  readonly reconcileAfterSeconds: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const CREDENTIAL_VARIABLES = {
  clientId: 'SIGNINGHUB_CLIENT_ID',
  clientSecret: 'SIGNINGHUB_CLIENT_SECRET',
  username: 'SIGNINGHUB_USERNAME',
  password: 'SIGNINGHUB_PASSWORD',
} as const satisfies Record<keyof SigningHubCredentials, string>;

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
  const partial: Partial<Record<keyof SigningHubCredentials, string>> = {};
  const missing: string[] = [];
  for (const [key, variable] of Object.entries(CREDENTIAL_VARIABLES)) {
    const value = nonEmpty(env, variable);
    if (value === undefined) missing.push(variable);
    else partial[key as keyof SigningHubCredentials] = value;
  }
  const { clientId, clientSecret, username, password } = partial;
  if (clientId && clientSecret && username && password) {
    return { kind: 'env', credentials: { clientId, clientSecret, username, password } };
  }
  const secretId = nonEmpty(env, 'SIGNINGHUB_CREDENTIALS_SECRET');
  if (secretId === undefined) {
    throw new ConfigError(
      'SIGNINGHUB_CREDENTIALS_SECRET',
      `is required when ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
    );
  }
  return { kind: 'secret', secretId, partial };
};

const callbackSecretSource = (env: Environment): CallbackSecretSource | undefined => {
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
  return secretId === undefined ? undefined : { kind: 'secret', secretId };
};

export interface LoadConfigOptions {
  /** The callback function cannot run without its secret; the others never read it. */
  readonly requireCallbackSecret?: boolean;
}

/** Reads and validates the environment once; a bad setting throws a ConfigError naming it. */
export const loadConfig = (env: Environment, options: LoadConfigOptions = {}): Config => {
  const callbackSecret = callbackSecretSource(env);
  if (options.requireCallbackSecret === true && callbackSecret === undefined) {
    throw new ConfigError('CALLBACK_SECRET', 'is required (or CALLBACK_SECRET_ID naming a secret)');
  }
  const config: Config = {
    tableName: required(env, 'TABLE_NAME'),
    dynamoDbEndpoint: nonEmpty(env, 'DYNAMODB_ENDPOINT'),
    signingHub: {
      baseUrl: httpUrl(env, 'SIGNINGHUB_BASE_URL', 'https://api.signinghub.com'),
      apiVersion: apiVersion(env),
      timeoutMs: positiveInteger(env, 'SIGNINGHUB_TIMEOUT_MS', 10_000),
      credentials: credentialsSource(env),
    },
    callbackSecret,
    eventBusName: nonEmpty(env, 'EVENT_BUS_NAME'),
    reconcileAfterSeconds: positiveInteger(env, 'RECONCILE_AFTER_SECONDS', 900),
  };
  if (config.dynamoDbEndpoint !== undefined) httpUrl(env, 'DYNAMODB_ENDPOINT', '');
  return Object.freeze(config);
};

export interface PublisherConfig {
  readonly eventBusName: string | undefined;
}

/** The completion-event publisher needs only the bus: it never talks to SigningHub or the table. */
export const loadPublisherConfig = (env: Environment): PublisherConfig =>
  Object.freeze({ eventBusName: nonEmpty(env, 'EVENT_BUS_NAME') });
