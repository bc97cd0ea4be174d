import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type OperationCounts = Readonly<Record<string, number>>;

export interface DynamoDbCounter {
  /** Where the code under test sends its DynamoDB requests. */
  readonly endpoint: string;
  /** Requests seen so far, by operation (the `X-Amz-Target` action: UpdateItem, PutItem, ...). */
  counts(): OperationCounts;
  stop(): Promise<void>;
}

export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

export const countsBetween = (before: OperationCounts, after: OperationCounts): OperationCounts =>
  Object.fromEntries(
    Object.entries(after)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );

/**
 * A counting HTTP proxy in front of DynamoDB Local: the handlers build their own clients from
 * DYNAMODB_ENDPOINT, so this counts their requests without touching product code.
 */
export const startDynamoDbCounter = async (upstream: string): Promise<DynamoDbCounter> => {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const header = req.headers['x-amz-target'];
    const operation =
      typeof header === 'string' ? header.slice(header.indexOf('.') + 1) : 'unknown';
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      }),
  };
};
