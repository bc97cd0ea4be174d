import { describe, expect, it } from 'vitest';
import { loadArchiveConfig } from '../../../lib/archive/archive-config.ts';
import { ConfigError } from '../../../lib/errors.ts';

const valid: Readonly<Record<string, string>> = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CREDENTIALS_SECRET: 'signinghub-finish/dev/credentials',
  TENANTS_SECRET_PREFIX: 'signinghub-finish/dev/tenants/',
  ARCHIVE_BUCKET: 'signinghub-finish-dev-archive',
};

const refusal = (env: Record<string, string>): ConfigError => {
  try {
    loadArchiveConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the loader accepted the environment');
};

describe('loadArchiveConfig', () => {
  it('reads the bucket beside the finish settings, and S3’s endpoint only when one is set', () => {
    const config = loadArchiveConfig(valid);
    expect(config).toMatchObject({
      tableName: 'table',
      archiveBucket: 'signinghub-finish-dev-archive',
      tenantsSecretPrefix: 'signinghub-finish/dev/tenants/',
      s3Endpoint: undefined,
      signingHub: { timeoutMs: 10_000, credentials: { kind: 'secret' } },
    });
    expect(Object.isFrozen(config)).toBe(true);
    const local = loadArchiveConfig({ ...valid, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566' });
    expect(local.s3Endpoint).toBe('http://127.0.0.1:4566');
    expect(loadArchiveConfig({ ...valid, AWS_ENDPOINT_URL_S3: ' ' }).s3Endpoint).toBeUndefined();
  });

  it('requires ARCHIVE_BUCKET', () => {
    const { ARCHIVE_BUCKET: _, ...without } = valid;
    expect(refusal(without)).toMatchObject({ variable: 'ARCHIVE_BUCKET' });
    expect(refusal({ ...valid, ARCHIVE_BUCKET: '  ' }).message).toBe(
      'ARCHIVE_BUCKET is required but not set',
    );
  });

  it.each([
    'ab',
    'Upper-Case',
    '-leading-dash',
    'trailing-dot.',
    'two..dots',
    'a'.repeat(64),
    'arn:aws:s3:::bucket',
  ])('refuses %s, a name S3 would refuse', (bucket) => {
    expect(refusal({ ...valid, ARCHIVE_BUCKET: bucket }).message).toBe(
      `ARCHIVE_BUCKET is not a bucket name S3 accepts, got "${bucket}"`,
    );
  });

  it('accepts the names at S3’s bounds', () => {
    for (const bucket of ['abc', 'a'.repeat(63), 'my.bucket-1']) {
      expect(loadArchiveConfig({ ...valid, ARCHIVE_BUCKET: bucket }).archiveBucket).toBe(bucket);
    }
  });

  it.each(['127.0.0.1:4566', 'ftp://127.0.0.1', 'not a url'])(
    'refuses an S3 endpoint %s that is no http(s) URL',
    (endpoint) => {
      expect(refusal({ ...valid, AWS_ENDPOINT_URL_S3: endpoint }).message).toBe(
        `AWS_ENDPOINT_URL_S3 must be an absolute http(s) URL, got "${endpoint}"`,
      );
    },
  );

  it('refuses what the finish settings refuse', () => {
    expect(refusal({ ...valid, TABLE_NAME: '' })).toMatchObject({ variable: 'TABLE_NAME' });
  });
});
