import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerEmulator {
  /** Give this to the SDK as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly url: string;
  readonly reads: string[];
  put(name: string, value: string): void;
  close(): Promise<void>;
}

/** GetSecretValue (AWS JSON 1.1) on 127.0.0.1, enough to read secrets by name. */
export const startSecretsManagerEmulator = async (): Promise<SecretsManagerEmulator> => {
  const secrets = new Map<string, string>();
  const reads: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return answer(400, { __type: 'UnknownOperationException' });
    }
    const { SecretId: id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      SecretId: string;
    };
    reads.push(id);
    const value = secrets.get(id);
    if (value === undefined) {
      return answer(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    answer(200, {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
      Name: id,
      SecretString: value,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    put: (name, value) => secrets.set(name, value),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
