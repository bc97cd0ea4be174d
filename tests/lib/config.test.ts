import { describe, expect, it } from 'vitest';
import {
  type Environment,
  loadCallbackConfig,
  loadFinishConfig,
  loadFinishFunctionConfig,
  loadPublisherConfig,
  loadReconcileConfig,
} from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

/** Every setting the functions read, all valid, credentials in the environment. */
const valid: Readonly<Record<string, string>> = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CLIENT_ID: 'app',
  SIGNINGHUB_CLIENT_SECRET: 'client-secret-value',
  SIGNINGHUB_USERNAME: 'admin@example.com',
  SIGNINGHUB_PASSWORD: 'password-value',
  CALLBACK_SECRET: 'callback-secret-0123456789',
  EVENT_BUS_NAME: 'bus',
};

type Loader = (env: Environment) => unknown;

/** The widest loaders: between them, they read every setting `finish` and `publish` read too. */
const loadCallbackAndReconcile: Loader = (env) => {
  loadCallbackConfig(env);
  loadReconcileConfig(env);
};

const failure = (
  env: Record<string, string | undefined>,
  load: Loader = loadCallbackAndReconcile,
): ConfigError => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the loader accepted the environment');
};

describe('what the configuration loaders read', () => {
  it('applies the contract defaults', () => {
    const config = loadReconcileConfig(valid);
    expect(config.signingHub).toMatchObject({
      baseUrl: 'https://api.signinghub.com',
      apiVersion: 'v3',
      timeoutMs: 10_000,
      credentials: { kind: 'env' },
    });
    expect(config.reconcileAfterSeconds).toBe(900);
    expect(loadPublisherConfig({}).eventBusName).toBeUndefined();
    expect(loadPublisherConfig({ EVENT_BUS_NAME: ' bus ' }).eventBusName).toBe('bus');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(loadFinishConfig(valid))).toBe(true);
  });

  it('reads credentials from the named secret when any is unset', () => {
    const config = loadFinishConfig({
      ...valid,
      SIGNINGHUB_PASSWORD: undefined,
      SIGNINGHUB_CREDENTIALS_SECRET: 'prod/signinghub',
    });
    expect(config.signingHub.credentials).toEqual({
      kind: 'secret',
      secretId: 'prod/signinghub',
      partial: {
        clientId: 'app',
        clientSecret: 'client-secret-value',
        username: 'admin@example.com',
      },
    });
  });

  it('takes the grant of the default tenant from the four variables: password, as before', () => {
    expect(loadFinishConfig(valid).signingHub.credentials).toEqual({
      kind: 'env',
      grant: {
        type: 'password',
        clientId: 'app',
        clientSecret: 'client-secret-value',
        username: 'admin@example.com',
        password: 'password-value',
      },
    });
  });

  it('needs only the client id and secret with SIGNINGHUB_GRANT_TYPE=client_credentials', () => {
    const config = loadFinishConfig({
      ...valid,
      SIGNINGHUB_GRANT_TYPE: 'client_credentials',
      SIGNINGHUB_USERNAME: undefined,
      SIGNINGHUB_PASSWORD: undefined,
    });
    expect(config.signingHub.credentials).toEqual({
      kind: 'env',
      grant: { type: 'client_credentials', clientId: 'app', clientSecret: 'client-secret-value' },
    });
  });

  it('leaves the grant to the secret unless SIGNINGHUB_GRANT_TYPE is set', () => {
    const fromSecret = { ...valid, SIGNINGHUB_CREDENTIALS_SECRET: 'prod/signinghub' };
    const unset = loadFinishConfig({ ...fromSecret, SIGNINGHUB_CLIENT_SECRET: undefined });
    expect(unset.signingHub.credentials).toMatchObject({ kind: 'secret', grantType: undefined });
    const set = loadFinishConfig({
      ...fromSecret,
      SIGNINGHUB_CLIENT_SECRET: undefined,
      SIGNINGHUB_GRANT_TYPE: ' client_credentials ',
    });
    expect(set.signingHub.credentials).toEqual({
      kind: 'secret',
      secretId: 'prod/signinghub',
      grantType: 'client_credentials',
      partial: { clientId: 'app', username: 'admin@example.com', password: 'password-value' },
    });
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['signinghub-finish/dev/tenants/', 'signinghub-finish/dev/tenants/'],
    [' a.b_c+d=e@f-g/ ', 'a.b_c+d=e@f-g/'],
  ])('reads TENANTS_SECRET_PREFIX=%j as %j (unset: no tenant but default)', (raw, prefix) => {
    for (const load of [loadFinishConfig, loadCallbackConfig, loadReconcileConfig]) {
      expect(load({ ...valid, TENANTS_SECRET_PREFIX: raw }).tenantsSecretPrefix).toBe(prefix);
    }
  });

  it('reads the callback secret only for the function that needs it, from either place', () => {
    expect(loadFinishConfig(valid)).not.toHaveProperty('callbackSecret');
    const fromSecret = {
      ...valid,
      CALLBACK_SECRET: undefined,
      CALLBACK_SECRET_ID: 'prod/callback',
    };
    expect(loadCallbackConfig(fromSecret).callbackSecret).toEqual({
      kind: 'secret',
      secretId: 'prod/callback',
    });
    expect(
      loadCallbackConfig({ ...valid, CALLBACK_SECRET: 'a'.repeat(16) }).callbackSecret,
    ).toEqual({ kind: 'env', secret: 'a'.repeat(16) });
  });

  it('reads CALLBACK_SECRET set empty as unset: the secret CALLBACK_SECRET_ID names', () => {
    const env = { ...valid, CALLBACK_SECRET: '', CALLBACK_SECRET_ID: 'prod/callback' };
    expect(loadCallbackConfig(env).callbackSecret).toEqual({
      kind: 'secret',
      secretId: 'prod/callback',
    });
  });

  it('reads the finish function’s queue URL as given, and none when unset', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/signing-events';
    const config = loadFinishFunctionConfig({ ...valid, SIGNING_EVENTS_QUEUE_URL: ` ${url} ` });
    expect(config.signingEventsQueueUrl).toBe(url);
    expect(config.tableName).toBe('table');
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadFinishFunctionConfig(valid).signingEventsQueueUrl).toBeUndefined();
    const local = 'http://127.0.0.1:4566/000000000000/events';
    expect(
      loadFinishFunctionConfig({ ...valid, SIGNING_EVENTS_QUEUE_URL: local }).signingEventsQueueUrl,
    ).toBe(local);
  });

  it.each(['signing-events', 'ftp://sqs.example/queue'])(
    'refuses SIGNING_EVENTS_QUEUE_URL=%s, naming it',
    (raw) => {
      const error = failure({ ...valid, SIGNING_EVENTS_QUEUE_URL: raw }, loadFinishFunctionConfig);
      expect(error.variable).toBe('SIGNING_EVENTS_QUEUE_URL');
      expect(error.message).toBe(
        `SIGNING_EVENTS_QUEUE_URL must be a queue's http(s) URL, got "${raw}"`,
      );
    },
  );

  it('takes a callback secret of every URL-safe character', () => {
    const secret = 'AZaz09._~-AZaz09._~-';
    const config = loadCallbackConfig({ ...valid, CALLBACK_SECRET: secret });
    expect(config.callbackSecret).toEqual({ kind: 'env', secret });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['86400', 86_400],
  ])('takes RECONCILE_AFTER_SECONDS=%s as %d seconds (0: every open package)', (raw, seconds) => {
    expect(
      loadReconcileConfig({ ...valid, RECONCILE_AFTER_SECONDS: raw }).reconcileAfterSeconds,
    ).toBe(seconds);
  });

  it('reads a value with spaces around it as the value, and a blank one as unset', () => {
    const config = loadReconcileConfig({
      ...valid,
      TABLE_NAME: '  table  ',
      SIGNINGHUB_TIMEOUT_MS: ' 2500 ',
      RECONCILE_AFTER_SECONDS: '   ',
    });
    expect(config.tableName).toBe('table');
    expect(config.signingHub.timeoutMs).toBe(2_500);
    expect(config.reconcileAfterSeconds).toBe(900);
  });

  it('trims the trailing slash of a base URL without a path', () => {
    expect(
      loadFinishConfig({ ...valid, SIGNINGHUB_BASE_URL: 'https://sh.example.com/' }).signingHub
        .baseUrl,
    ).toBe('https://sh.example.com');
  });

  it('keeps an http URL, with its path, and drops every trailing slash', () => {
    const config = loadCallbackConfig({
      ...valid,
      SIGNINGHUB_BASE_URL: 'http://127.0.0.1:3010/api//',
      SIGNINGHUB_API_VERSION: 'v4',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    expect(config.signingHub.baseUrl).toBe('http://127.0.0.1:3010/api');
    expect(config.signingHub.apiVersion).toBe('v4');
    expect(config.dynamoDbEndpoint).toBe('http://127.0.0.1:8000');
  });
});

const NOT_URL_SAFE = 'must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)';
const NOT_A_URL = 'must be an absolute http(s) URL, got "%s"';

/** Each setting, each problem it refuses a value for (`%s`: the value), and the values. */
const REFUSED: Record<string, readonly (readonly [string, readonly string[]])[]> = {
  SIGNINGHUB_TIMEOUT_MS: [
    [
      'must be a positive integer, got "%s"',
      ['12a', 'a12', '012', '10s', '0', '9007199254740993', '1e3', '1.0'],
    ],
  ],
  RECONCILE_AFTER_SECONDS: [['must be a whole number (0 or more), got "%s"', ['-1', '1.5', '015']]],
  SIGNINGHUB_BASE_URL: [
    [NOT_A_URL, ['not a url', 'api.signinghub.com', 'ftp://sh.example.com']],
    [
      'must not carry credentials, a query or a fragment',
      [
        'https://sh.example.com/?a=1',
        'https://sh.example.com/#top',
        'https://user@sh.example.com',
        'https://:pw@sh.example.com',
      ],
    ],
  ],
  DYNAMODB_ENDPOINT: [[NOT_A_URL, ['localhost:8000']]],
  SIGNINGHUB_API_VERSION: [['must be v3 or v4, got "%s"', ['v5']]],
  SIGNINGHUB_GRANT_TYPE: [
    ['must be password or client_credentials, got "%s"', ['implicit', 'Password']],
  ],
  TENANTS_SECRET_PREFIX: [
    ['must end with "/", got "%s"', ['signinghub-finish/dev/tenants', 'tenants/a']],
    [
      'must use only the characters of a secret\'s name (A-Z a-z 0-9 / _ + = . @ -), got "%s"',
      ['tenants prefix/', 'tenants/*/'],
    ],
  ],
  CALLBACK_SECRET: [
    ['must be at least 16 characters', ['short-secret']],
    [
      NOT_URL_SAFE,
      ['callback-secret/0123456789', ' callback-secret-0123456789', 'callback-secret-0123456789 '],
    ],
  ],
};

const REFUSALS = Object.entries(REFUSED).flatMap(([name, problems]) =>
  problems.flatMap(([problem, values]) =>
    values.map((value) => ({ name, value, message: `${name} ${problem.replace('%s', value)}` })),
  ),
);

describe('what each setting refuses, in the words the operator reads', () => {
  it.each(REFUSALS)('$name=$value', ({ name, value, message }) => {
    const error = failure({ ...valid, [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toBe(message);
  });

  it('never puts a callback secret it refuses into its error message', () => {
    const secrets = REFUSALS.filter(({ name }) => name === 'CALLBACK_SECRET');
    expect(secrets).toHaveLength(4);
    for (const { value } of secrets) {
      expect(failure({ ...valid, CALLBACK_SECRET: value }).message).not.toContain(value.trim());
    }
  });

  it.each([
    ['no table', 'TABLE_NAME', { TABLE_NAME: undefined }, 'TABLE_NAME is required but not set'],
    [
      'no callback secret',
      'CALLBACK_SECRET',
      { CALLBACK_SECRET: undefined },
      'CALLBACK_SECRET is required (or CALLBACK_SECRET_ID naming a secret)',
    ],
    [
      'a credential unset and no secret',
      'SIGNINGHUB_CREDENTIALS_SECRET',
      { SIGNINGHUB_PASSWORD: undefined },
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_PASSWORD is not set',
    ],
    [
      'two credentials unset (one blank) and no secret',
      'SIGNINGHUB_CREDENTIALS_SECRET',
      { SIGNINGHUB_PASSWORD: undefined, SIGNINGHUB_USERNAME: '  ' },
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_USERNAME, SIGNINGHUB_PASSWORD are not set',
    ],
    [
      'client credentials without the client secret and no secret',
      'SIGNINGHUB_CREDENTIALS_SECRET',
      {
        SIGNINGHUB_GRANT_TYPE: 'client_credentials',
        SIGNINGHUB_CLIENT_SECRET: undefined,
        SIGNINGHUB_USERNAME: undefined,
        SIGNINGHUB_PASSWORD: undefined,
      },
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_CLIENT_SECRET is not set',
    ],
    [
      'three credentials unset and no secret',
      'SIGNINGHUB_CREDENTIALS_SECRET',
      {
        SIGNINGHUB_CLIENT_SECRET: undefined,
        SIGNINGHUB_USERNAME: undefined,
        SIGNINGHUB_PASSWORD: undefined,
      },
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_CLIENT_SECRET, SIGNINGHUB_USERNAME, SIGNINGHUB_PASSWORD are not set',
    ],
  ])('with %s, names %s', (_, variable, unset, message) => {
    const error = failure({ ...valid, ...unset });
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });
});

/** Every setting with a bad value, and the functions that read it: only those may refuse it. */
interface Setting {
  readonly name: string;
  readonly bad: string;
  readonly readBy: readonly FunctionName[];
  /** The variable the error names, when it is not the setting itself. */
  readonly named?: string;
}

const SETTINGS: readonly Setting[] = [
  { name: 'TABLE_NAME', bad: '', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'DYNAMODB_ENDPOINT', bad: 'localhost:8000', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'SIGNINGHUB_BASE_URL', bad: 'ftp://x', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'SIGNINGHUB_API_VERSION', bad: 'v5', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'SIGNINGHUB_TIMEOUT_MS', bad: '0', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'SIGNINGHUB_GRANT_TYPE', bad: 'implicit', readBy: ['finish', 'callback', 'reconcile'] },
  { name: 'TENANTS_SECRET_PREFIX', bad: 'tenants', readBy: ['finish', 'callback', 'reconcile'] },
  {
    name: 'SIGNINGHUB_PASSWORD',
    bad: '',
    readBy: ['finish', 'callback', 'reconcile'],
    named: 'SIGNINGHUB_CREDENTIALS_SECRET',
  },
  { name: 'CALLBACK_SECRET', bad: 'short', readBy: ['callback'] },
  { name: 'RECONCILE_AFTER_SECONDS', bad: '-1', readBy: ['reconcile'] },
];

type FunctionName = 'finish' | 'callback' | 'reconcile' | 'publish';

const LOADERS: Record<FunctionName, Loader> = {
  finish: loadFinishConfig,
  callback: loadCallbackConfig,
  reconcile: loadReconcileConfig,
  publish: loadPublisherConfig,
};

describe('each function validates only the settings it reads', () => {
  const cases = SETTINGS.flatMap((setting) =>
    (Object.keys(LOADERS) as FunctionName[]).map((fn) => ({ ...setting, fn })),
  );
  it.each(cases)('$fn with $name=$bad', ({ name, bad, readBy, fn, named }) => {
    const env = { ...valid, [name]: bad };
    if (readBy.includes(fn)) expect(failure(env, LOADERS[fn]).variable).toBe(named ?? name);
    else expect(() => LOADERS[fn](env)).not.toThrow();
  });

  it('loads every function from a valid environment', () => {
    for (const load of Object.values(LOADERS)) expect(() => load(valid)).not.toThrow();
  });
});
