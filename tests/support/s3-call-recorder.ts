import type { IncomingMessage } from 'node:http';
import { type AwsCall, type AwsCallRecorder, startRecordingProxy } from './aws-call-recorder.ts';

/** `Credential=AKID/20261201/eu-west-1/s3/aws4_request` in a SigV4 Authorization header. */
const CREDENTIAL = /Credential=([^/]+)\//;

/**
 * The IAM action S3 authorizes a path-style REST request with (`/<bucket>/<key>?<query>`): a
 * multipart upload's start, parts and completion are all s3:PutObject.
 */
const s3Action = (method: string, path: string, query: URLSearchParams): string => {
  const [, , ...key] = path.split('/');
  const onObject = key.join('/') !== '';
  const upload = query.has('uploadId');
  if (!onObject) return method === 'GET' ? 's3:ListBucket' : `s3:${method}Bucket`;
  if (method === 'PUT' || method === 'POST') return 's3:PutObject';
  if (method === 'DELETE') return upload ? 's3:AbortMultipartUpload' : 's3:DeleteObject';
  if (upload) return 's3:ListMultipartUploadParts';
  return 's3:GetObject';
};

/** A path-style S3 request (`/<bucket>/<key>?<query>`): its action and, as input, its Bucket and Key. */
const s3CallOf = (request: IncomingMessage): AwsCall => {
  const url = new URL(request.url ?? '/', 'http://s3');
  const [, bucket = '', ...key] = url.pathname.split('/');
  return {
    accessKeyId: String(request.headers.authorization ?? '').match(CREDENTIAL)?.[1] ?? '',
    action: s3Action(request.method ?? 'GET', url.pathname, url.searchParams),
    input: { Bucket: decodeURIComponent(bucket), Key: decodeURIComponent(key.join('/')) },
  };
};

/**
 * What each client asks of moto's S3 (give the endpoint as AWS_ENDPOINT_URL_S3, path-style), as
 * startAwsCallRecorder does for the services that speak JSON: S3 speaks REST, so its action comes
 * from the method, the path and the query.
 */
export const startS3CallRecorder = (upstream: string): Promise<AwsCallRecorder> =>
  startRecordingProxy(upstream, s3CallOf);
