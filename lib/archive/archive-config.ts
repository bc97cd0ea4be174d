import { type Environment, type FinishConfig, loadFinishConfig, parseBaseUrl } from '../config.ts';
import { ConfigError } from '../errors.ts';

/** What `archive` reads: the finish settings (the table, SigningHub, the tenants) and the bucket. */
export interface ArchiveConfig extends FinishConfig {
  /** ARCHIVE_BUCKET: where the signed documents are stored. */
  readonly archiveBucket: string;
  /**
   * AWS_ENDPOINT_URL_S3 (tests, npm start): S3 is a stand-in on one host, reached with path-style
   * requests (`<endpoint>/<bucket>/<key>`) instead of a host name per bucket. Read here, at start,
   * like every other setting (the SDK would read it only at the first request).
   */
  readonly s3Endpoint: string | undefined;
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

const s3Endpoint = (env: Environment): string | undefined => {
  const endpoint = setting(env, 'AWS_ENDPOINT_URL_S3');
  if (endpoint !== undefined && 'problem' in parseBaseUrl(endpoint)) {
    throw new ConfigError(
      'AWS_ENDPOINT_URL_S3',
      `must be an absolute http(s) URL, got "${endpoint}"`,
    );
  }
  return endpoint;
};

export const loadArchiveConfig = (env: Environment): ArchiveConfig =>
  Object.freeze({
    ...loadFinishConfig(env),
    archiveBucket: archiveBucket(env),
    s3Endpoint: s3Endpoint(env),
  });
