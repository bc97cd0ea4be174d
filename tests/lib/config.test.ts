import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

const base = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CLIENT_ID: 'app',
  SIGNINGHUB_CLIENT_SECRET: 'client-secret-value',
  SIGNINGHUB_USERNAME: 'admin@example.com',
  SIGNINGHUB_PASSWORD: 'password-value',
};

const failure = (env: Record<string, string | undefined>, options = {}): ConfigError => {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
};

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(base);
    expect(config.signingHub).toMatchObject({
      baseUrl: 'https://api.signinghub.com',
      apiVersion: 'v3',
      timeoutMs: 10_000,
      credentials: { kind: 'env' },
    });
    expect(config.reconcileAfterSeconds).toBe(900);
    expect(config.eventBusName).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
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
    ['DYNAMODB_ENDPOINT', 'localhost:8000'],
  ])('rejects %s=%s with a message naming it', (name, value) => {
    const error = failure({ ...base, [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
  });

  it('reads credentials from the named secret when any is unset', () => {
    const config = loadConfig({
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
    const error = failure({ ...base, CALLBACK_SECRET: 'short-secret' });
    expect(error.variable).toBe('CALLBACK_SECRET');
    expect(error.message).not.toContain('short-secret');
  });

  it('demands the callback secret only of the function that needs it', () => {
    expect(loadConfig(base).callbackSecret).toBeUndefined();
    expect(failure(base, { requireCallbackSecret: true }).variable).toBe('CALLBACK_SECRET');
    expect(
      loadConfig({ ...base, CALLBACK_SECRET_ID: 'prod/callback' }, { requireCallbackSecret: true })
        .callbackSecret,
    ).toEqual({ kind: 'secret', secretId: 'prod/callback' });
  });

  it('trims a trailing slash from the base URL', () => {
    expect(
      loadConfig({ ...base, SIGNINGHUB_BASE_URL: 'https://sh.example.com/' }).signingHub.baseUrl,
    ).toBe('https://sh.example.com');
  });
});
