import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  readonly id: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly at: number;
}

export interface EventBridgeEmulator {
  /** Give this to the SDK as AWS_ENDPOINT_URL_EVENTBRIDGE. */
  readonly url: string;
  readonly events: readonly ReceivedEvent[];
  /** The next `count` PutEvents entries are refused (as EventBridge does under throttling). */
  failNext(count: number): void;
  close(): Promise<void>;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

const MAX_BODY = 1024 * 1024;

/** Enough of EventBridge's PutEvents (AWS JSON 1.1) for the publisher, on 127.0.0.1. */
export const startEventBridgeEmulator = async (port = 0): Promise<EventBridgeEmulator> => {
  const events: ReceivedEvent[] = [];
  let failures = 0;

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return answer(response, 413, { message: 'too large' });
      chunks.push(chunk as Buffer);
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'AWSEvents.PutEvents') {
      return answer(response, 400, { __type: 'UnknownOperationException', message: target });
    }
    let input: { Entries?: PutEventsEntry[] };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEventsEntry[] };
    } catch {
      return answer(response, 400, { __type: 'SerializationException', message: 'bad JSON' });
    }
    const entries = (input.Entries ?? []).map((entry) => {
      if (failures > 0) {
        failures -= 1;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      }
      const id = randomUUID();
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? 'null');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
      }
      events.push({
        id,
        busName: entry.EventBusName ?? 'default',
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail,
        at: Date.now(),
      });
      return { EventId: id };
    });
    answer(response, 200, {
      FailedEntryCount: entries.filter((entry) => 'ErrorCode' in entry).length,
      Entries: entries,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, { message: 'emulator error' }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    events,
    failNext: (count) => {
      failures = count;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
