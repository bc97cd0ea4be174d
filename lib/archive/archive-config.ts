import { type Environment, type FinishConfig, loadFinishConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

/** What `archive` reads: the finish settings (the table, SigningHub, the tenants) and the bucket. */
export interface ArchiveConfig extends FinishConfig {
  /** ARCHIVE_BUCKET: where the signed documents are stored. */
  readonly archiveBucket: string;
  /**
   * AWS_ENDPOINT_URL_S3 is set (tests, npm start): S3 is a stand-in on one host, reached with
   * path-style requests (`<endpoint>/<bucket>/<key>`) instead of a host name per bucket.
   */
  readonly s3ForcePathStyle: boolean;
}

/** S3's rule for a bucket's name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const setting = (env: Environment, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const archiveBucket = (env: Environment): string => {
  const bucket = setting(env, 'ARCHIVE_BUCKET');
  if (bucket === undefined) throw new ConfigError('ARCHIVE_BUCKET', 'is required but not set');
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new ConfigError('ARCHIVE_BUCKET', `is not a bucket name S3 accepts, got "${bucket}"`);
  }
  return bucket;
};

export const loadArchiveConfig = (env: Environment): ArchiveConfig =>
  Object.freeze({
    ...loadFinishConfig(env),
    archiveBucket: archiveBucket(env),
    s3ForcePathStyle: setting(env, 'AWS_ENDPOINT_URL_S3') !== undefined,
  });
