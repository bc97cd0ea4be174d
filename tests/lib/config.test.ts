import { describe, expect, it } from 'vitest';
import {
  type Environment,
  loadCallbackConfig,
  loadFinishConfig,
  loadPublisherConfig,
  loadReconcileConfig,
} from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

const base = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CLIENT_ID: 'app',
  SIGNINGHUB_CLIENT_SECRET: 'client-secret-value',
  SIGNINGHUB_USERNAME: 'admin@example.com',
  SIGNINGHUB_PASSWORD: 'password-value',
};

type Loader = (env: Environment) => unknown;

const failure = (
  env: Record<string, string | undefined>,
  load: Loader = loadFinishConfig,
): ConfigError => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
};

describe('the configuration loaders', () => {
  it('applies the contract defaults', () => {
    const config = loadReconcileConfig(base);
    expect(config.signingHub).toMatchObject({
      baseUrl: 'https://api.signinghub.com',
      apiVersion: 'v3',
      timeoutMs: 10_000,
      credentials: { kind: 'env' },
    });
    expect(config.reconcileAfterSeconds).toBe(900);
    expect(loadPublisherConfig({}).eventBusName).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(loadFinishConfig(base))).toBe(true);
  });

  it('names TABLE_NAME when it is missing', () => {
    expect(failure({ ...base, TABLE_NAME: undefined }).variable).toBe('TABLE_NAME');
  });

  it.each([
    ['SIGNINGHUB_API_VERSION', 'v5'],
    ['SIGNINGHUB_TIMEOUT_MS', '10s'],
    ['SIGNINGHUB_TIMEOUT_MS', '0'],
    ['SIGNINGHUB_BASE_URL', 'api.signinghub.com'],
    ['SIGNINGHUB_BASE_URL', 'ftp://api.signinghub.com'],
    ['RECONCILE_AFTER_SECONDS', '-1'],
    ['RECONCILE_AFTER_SECONDS', '1.5'],
    ['RECONCILE_AFTER_SECONDS', '015'],
    ['DYNAMODB_ENDPOINT', 'localhost:8000'],
  ])('rejects %s=%s with a message naming it', (name, value) => {
    const error = failure({ ...base, [name]: value }, loadReconcileConfig);
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
  });

  it('reads credentials from the named secret when any is unset', () => {
    const config = loadFinishConfig({
      ...base,
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

  it('names the secret variable and what is missing when neither is there', () => {
    const error = failure({ TABLE_NAME: 't', SIGNINGHUB_CLIENT_ID: 'app' });
    expect(error.variable).toBe('SIGNINGHUB_CREDENTIALS_SECRET');
    expect(error.message).toContain('SIGNINGHUB_PASSWORD');
  });

  it('never puts a secret value into its error message', () => {
    const error = failure({ ...base, CALLBACK_SECRET: 'short-secret' }, loadCallbackConfig);
    expect(error.variable).toBe('CALLBACK_SECRET');
    expect(error.message).not.toContain('short-secret');
  });

  it('demands the callback secret only of the function that needs it', () => {
    expect(loadFinishConfig(base)).not.toHaveProperty('callbackSecret');
    expect(failure(base, loadCallbackConfig).variable).toBe('CALLBACK_SECRET');
    expect(
      loadCallbackConfig({ ...base, CALLBACK_SECRET_ID: 'prod/callback' }).callbackSecret,
    ).toEqual({ kind: 'secret', secretId: 'prod/callback' });
    expect(loadCallbackConfig({ ...base, CALLBACK_SECRET: 'a'.repeat(16) }).callbackSecret).toEqual(
      { kind: 'env', secret: 'a'.repeat(16) },
    );
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['86400', 86_400],
  ])('takes RECONCILE_AFTER_SECONDS=%s as %d seconds (0: every open package)', (raw, seconds) => {
    expect(
      loadReconcileConfig({ ...base, RECONCILE_AFTER_SECONDS: raw }).reconcileAfterSeconds,
    ).toBe(seconds);
  });

  it('trims a trailing slash from the base URL', () => {
    expect(
      loadFinishConfig({ ...base, SIGNINGHUB_BASE_URL: 'https://sh.example.com/' }).signingHub
        .baseUrl,
    ).toBe('https://sh.example.com');
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

const valid = { ...base, CALLBACK_SECRET: 'callback-secret-0123456789', EVENT_BUS_NAME: 'bus' };

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
