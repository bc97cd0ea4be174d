import { describe, expect, it } from 'vitest';
import { loadCallbackConfig, loadReconcileConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

/** A callback's full environment: every setting the widest loaders read, all valid. */
const valid: Readonly<Record<string, string>> = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CLIENT_ID: 'app',
  SIGNINGHUB_CLIENT_SECRET: 'client-secret-value',
  SIGNINGHUB_USERNAME: 'admin@example.com',
  SIGNINGHUB_PASSWORD: 'password-value',
  CALLBACK_SECRET: 'callback-secret-0123456789',
};

const messageOf = (env: Record<string, string | undefined>): string => {
  try {
    loadCallbackConfig(env);
    loadReconcileConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'accepted';
};

/** Each value a setting refuses, with the whole message the operator reads. */
const REFUSED: readonly [string, string, string][] = [
  ['SIGNINGHUB_TIMEOUT_MS', '12a', 'SIGNINGHUB_TIMEOUT_MS must be a positive integer, got "12a"'],
  ['SIGNINGHUB_TIMEOUT_MS', 'a12', 'SIGNINGHUB_TIMEOUT_MS must be a positive integer, got "a12"'],
  ['SIGNINGHUB_TIMEOUT_MS', '012', 'SIGNINGHUB_TIMEOUT_MS must be a positive integer, got "012"'],
  [
    'SIGNINGHUB_TIMEOUT_MS',
    '9007199254740993',
    'SIGNINGHUB_TIMEOUT_MS must be a positive integer, got "9007199254740993"',
  ],
  [
    'RECONCILE_AFTER_SECONDS',
    '1.5',
    'RECONCILE_AFTER_SECONDS must be a whole number (0 or more), got "1.5"',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'not a url',
    'SIGNINGHUB_BASE_URL must be an absolute http(s) URL, got "not a url"',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'ftp://sh.example.com',
    'SIGNINGHUB_BASE_URL must be an absolute http(s) URL, got "ftp://sh.example.com"',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'https://sh.example.com/?a=1',
    'SIGNINGHUB_BASE_URL must not carry credentials, a query or a fragment',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'https://sh.example.com/#top',
    'SIGNINGHUB_BASE_URL must not carry credentials, a query or a fragment',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'https://user@sh.example.com',
    'SIGNINGHUB_BASE_URL must not carry credentials, a query or a fragment',
  ],
  [
    'SIGNINGHUB_BASE_URL',
    'https://:pw@sh.example.com',
    'SIGNINGHUB_BASE_URL must not carry credentials, a query or a fragment',
  ],
  [
    'DYNAMODB_ENDPOINT',
    'localhost:8000',
    'DYNAMODB_ENDPOINT must be an absolute http(s) URL, got "localhost:8000"',
  ],
  ['SIGNINGHUB_API_VERSION', 'v5', 'SIGNINGHUB_API_VERSION must be v3 or v4, got "v5"'],
  ['CALLBACK_SECRET', 'short', 'CALLBACK_SECRET must be at least 16 characters'],
  [
    'CALLBACK_SECRET',
    'callback-secret/0123456789',
    'CALLBACK_SECRET must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
  ],
  [
    'CALLBACK_SECRET',
    ' callback-secret-0123456789',
    'CALLBACK_SECRET must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
  ],
  [
    'CALLBACK_SECRET',
    'callback-secret-0123456789 ',
    'CALLBACK_SECRET must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
  ],
];

describe('what each setting refuses, in the words the operator reads', () => {
  it.each(REFUSED)('%s=%j', (name, value, message) => {
    expect(messageOf({ ...valid, [name]: value })).toBe(message);
  });

  it('names TABLE_NAME when it is missing', () => {
    expect(messageOf({ ...valid, TABLE_NAME: undefined })).toBe(
      'TABLE_NAME is required but not set',
    );
  });

  it('names the callback secret and its alternative when neither is set', () => {
    expect(messageOf({ ...valid, CALLBACK_SECRET: undefined })).toBe(
      'CALLBACK_SECRET is required (or CALLBACK_SECRET_ID naming a secret)',
    );
  });

  it('says which credentials are missing, one or several, when no secret names them', () => {
    expect(messageOf({ ...valid, SIGNINGHUB_PASSWORD: undefined })).toBe(
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_PASSWORD is not set',
    );
    expect(messageOf({ ...valid, SIGNINGHUB_PASSWORD: undefined, SIGNINGHUB_USERNAME: '  ' })).toBe(
      'SIGNINGHUB_CREDENTIALS_SECRET is required when SIGNINGHUB_USERNAME, SIGNINGHUB_PASSWORD are not set',
    );
  });
});

describe('what each setting accepts', () => {
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

  it('takes a callback secret of every URL-safe character', () => {
    const secret = 'AZaz09._~-AZaz09._~-';
    const config = loadCallbackConfig({ ...valid, CALLBACK_SECRET: secret });
    expect(config.callbackSecret).toEqual({ kind: 'env', secret });
  });
});
