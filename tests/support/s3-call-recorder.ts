import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCall } from './aws-call-recorder.ts';

/** `Credential=AKID/20261201/eu-west-1/s3/aws4_request` in a SigV4 Authorization header. */
const CREDENTIAL = /Credential=([^/]+)\//;

/** Headers of the hop, not of the request; `expect` (100-continue) is answered here, by Node. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect']);

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

export interface S3CallRecorder {
  /** Give it as AWS_ENDPOINT_URL_S3 (path-style): every request goes on to the upstream. */
  readonly endpoint: string;
  /** Each request as an AwsCall: its action and, as input, its Bucket and Key. */
  readonly calls: readonly AwsCall[];
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of moto's S3 that records what each client asks of it, as
 * aws-call-recorder.ts does for the services that speak JSON: S3 speaks REST, so its action comes
 * from the method, the path and the query.
 */
export const startS3CallRecorder = async (upstream: string): Promise<S3CallRecorder> => {
  const calls: AwsCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://s3');
      const method = request.method ?? 'GET';
      const [, bucket = '', ...key] = url.pathname.split('/');
      calls.push({
        accessKeyId: String(request.headers.authorization ?? '').match(CREDENTIAL)?.[1] ?? '',
        action: s3Action(method, url.pathname, url.searchParams),
        input: { Bucket: decodeURIComponent(bucket), Key: decodeURIComponent(key.join('/')) },
      });
      const body = Buffer.concat(chunks);
      fetch(`${upstream}${request.url ?? '/'}`, {
        method,
        headers: Object.fromEntries(
          Object.entries(request.headers)
            .filter(([name, value]) => !HOP_BY_HOP.has(name) && typeof value === 'string')
            .map(([name, value]) => [name, String(value)]),
        ),
        ...(body.length > 0 ? { body } : {}),
      })
        .then(async (answer) => {
          const payload = Buffer.from(await answer.arrayBuffer());
          response.writeHead(
            answer.status,
            Object.fromEntries(
              [...answer.headers].filter(
                ([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding',
              ),
            ),
          );
          response.end(method === 'HEAD' ? undefined : payload);
        })
        .catch((error: unknown) => {
          response.writeHead(502);
          response.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
