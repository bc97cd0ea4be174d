import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callbackEvent } from '../support/factories.ts';
import type { Random } from './random.ts';

export interface CallbackAnswer {
  readonly statusCode: number;
  readonly body: string | undefined;
}

export type DeliverCallback = (event: APIGatewayProxyEventV2) => Promise<CallbackAnswer>;

export interface BridgeStats {
  received: number;
  lost: number;
  duplicated: number;
}

/** Stands in for API Gateway between SigningHub's callbacks and the in-process callback function. */
export interface CallbackBridge {
  /**
   * Give SigningHub `${url}/signinghub/callback/<secret>`, or a tenant's enterprise
   * `${url}/signinghub/tenants/<tenant>/callback/<secret>`.
   */
  readonly url: string;
  readonly stats: Readonly<BridgeStats>;
  /** Resolves once every delivery started so far has been answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface CallbackBridgeOptions {
  readonly deliver: DeliverCallback;
  readonly random: Random;
  /** Callbacks that never reach the function (the network lost them). */
  readonly lossRate: number;
  /** Callbacks the function receives twice, the copies racing each other. */
  readonly duplicateRate: number;
  /** Each delivery waits up to this long, so callbacks arrive out of order. */
  readonly maxDelayMs: number;
}

const PATH = /^\/signinghub\/(?:tenants\/([^/]+)\/)?callback\/([^/]*)$/;

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The HTTP API (payload 2.0) event for a request, the way API Gateway would build it. */
const eventOf = (request: IncomingMessage, body: string): APIGatewayProxyEventV2 | undefined => {
  const url = new URL(request.url ?? '/', 'http://bridge');
  const match = PATH.exec(url.pathname);
  if (!match) return undefined;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const contentType = request.headers['content-type'];
  const tenant = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  return callbackEvent({
    method: request.method ?? 'GET',
    tenant,
    secret: decodeURIComponent(match[2] ?? ''),
    query,
    ...(body === '' ? {} : { body }),
    ...(contentType ? { contentType } : {}),
  });
};

export const startCallbackBridge = async (
  options: CallbackBridgeOptions,
): Promise<CallbackBridge> => {
  const stats: BridgeStats = { received: 0, lost: 0, duplicated: 0 };
  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };
  const later = (event: APIGatewayProxyEventV2) =>
    track(
      delay(Math.floor(options.random.next() * options.maxDelayMs)).then(() =>
        options.deliver(event),
      ),
    );

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const event = eventOf(request, await readBody(request));
    if (!event) {
      response.writeHead(404).end();
      return;
    }
    stats.received += 1;
    if (options.random.chance(options.lossRate)) {
      stats.lost += 1;
      response.writeHead(502).end();
      return;
    }
    if (options.random.chance(options.duplicateRate)) {
      stats.duplicated += 1;
      void later(event);
    }
    const answer = await later(event);
    response.writeHead(
      answer.statusCode,
      answer.body === undefined ? {} : { 'content-type': 'application/json' },
    );
    response.end(answer.body);
  };

  const server = createServer((request, response) => {
    track(handle(request, response)).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    settled: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
