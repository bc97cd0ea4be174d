import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request of an AWS SDK client, as it went to the service. */
export interface AwsCall {
  /** The access key id in the request's signature: who made it. */
  readonly accessKeyId: string;
  /** Like `dynamodb:UpdateItem`: the signing name and the operation of X-Amz-Target. */
  readonly action: string;
  /** The JSON input (every service the functions call speaks the AWS JSON protocol). */
  readonly input: Readonly<Record<string, unknown>>;
}

export interface AwsCallRecorder {
  /** Give it as the AWS endpoint: every request goes on to the upstream endpoint. */
  readonly endpoint: string;
  readonly calls: readonly AwsCall[];
  close(): Promise<void>;
}

/** Headers of the hop, not of the request; `expect` (100-continue) is answered here, by Node. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect']);

const forwardedHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([name, value]) => !HOP_BY_HOP.has(name) && typeof value === 'string')
      .map(([name, value]) => [name, String(value)]),
  );

/**
 * A loopback proxy in front of moto that records each request as `callOf` reads it, then sends it
 * on and answers with moto's answer: the functions' calls are then judged against their roles,
 * which moto itself does not enforce.
 */
export const startRecordingProxy = async (
  upstream: string,
  callOf: (request: IncomingMessage, body: Buffer) => AwsCall,
): Promise<AwsCallRecorder> => {
  const calls: AwsCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push(callOf(request, body));
      const method = request.method ?? 'POST';
      fetch(`${upstream}${request.url ?? '/'}`, {
        method,
        headers: forwardedHeaders(request.headers),
        ...(body.length > 0 ? { body } : {}),
      })
        .then(async (answer) => {
          const payload = Buffer.from(await answer.arrayBuffer());
          const headers = Object.fromEntries(
            [...answer.headers].filter(
              ([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding',
            ),
          );
          response.writeHead(answer.status, headers);
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

/** `Credential=AKID/20261201/eu-west-1/dynamodb/aws4_request` in a SigV4 Authorization header. */
const CREDENTIAL = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/;

/** A request of a service that speaks the AWS JSON protocol: its action from X-Amz-Target. */
const jsonCallOf = (request: IncomingMessage, body: Buffer): AwsCall => {
  const [, accessKeyId = '', service = ''] =
    String(request.headers.authorization ?? '').match(CREDENTIAL) ?? [];
  const operation =
    String(request.headers['x-amz-target'] ?? '')
      .split('.')
      .at(-1) ?? '';
  let input: Record<string, unknown> = {};
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    input = { unparsed: body.toString('utf8') };
  }
  return { accessKeyId, action: `${service}:${operation}`, input };
};

/** What each client asks of the AWS services that speak JSON (DynamoDB, Secrets Manager, ...). */
export const startAwsCallRecorder = (upstream: string): Promise<AwsCallRecorder> =>
  startRecordingProxy(upstream, jsonCallOf);
