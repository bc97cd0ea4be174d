import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqsQueue } from './sqs-emulation.ts';

/** The queue's SQS API, as far as the finish function calls it. */
export interface SqsEndpoint {
  /** SIGNING_EVENTS_QUEUE_URL: the SDK sends to the queue URL's origin. */
  readonly queueUrl: string;
  close(): Promise<void>;
}

export interface SqsEndpointOptions {
  readonly queue: SqsQueue;
  /**
   * How many of the run's milliseconds one second of VisibilityTimeout lasts: the soak compresses
   * the deployed timings, and an open circuit's hand-back (5 minutes and up) with them.
   */
  readonly msPerSecond: number;
  /**
   * The longest a hand-back lasts in the run: the function's ladder climbs to 12 hours, which no
   * compression a run can wait for keeps short.
   */
  readonly ceilingMs: number;
}

interface Entry {
  readonly Id?: unknown;
  readonly ReceiptHandle?: unknown;
  readonly VisibilityTimeout?: unknown;
}

const JSON_TYPE = 'application/x-amz-json-1.0';

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const reply = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': JSON_TYPE }).end(JSON.stringify(body));
};

const clientError = (response: ServerResponse, type: string, message: string) =>
  reply(response, 400, { __type: `com.amazonaws.sqs#${type}`, message });

/**
 * ChangeMessageVisibility and ChangeMessageVisibilityBatch in the AWS JSON 1.0 protocol of the
 * SDK's SQS client, on the emulated queue: what the finish function does to keep an open
 * circuit's messages away for longer. Any other action is refused, so one the function starts
 * calling shows up as a failure rather than passing unnoticed.
 */
export const startSqsEndpoint = async (options: SqsEndpointOptions): Promise<SqsEndpoint> => {
  const { queue, msPerSecond, ceilingMs } = options;
  const change = (entry: Entry): { ok: true } | { ok: false; code: string } => {
    const seconds = Number(entry.VisibilityTimeout);
    if (typeof entry.ReceiptHandle !== 'string' || !Number.isInteger(seconds) || seconds < 0) {
      return { ok: false, code: 'InvalidParameterValue' };
    }
    return queue.changeVisibility(entry.ReceiptHandle, Math.min(ceilingMs, seconds * msPerSecond))
      ? { ok: true }
      : { ok: false, code: 'ReceiptHandleIsInvalid' };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    let input: { Entries?: unknown } & Entry;
    try {
      input = JSON.parse(await readBody(request)) as typeof input;
    } catch {
      return clientError(response, 'InvalidParameterValue', 'the body is not JSON');
    }
    if (target === 'AmazonSQS.ChangeMessageVisibility') {
      const result = change(input);
      return result.ok
        ? reply(response, 200, {})
        : clientError(response, result.code, 'visibility not changed');
    }
    if (target === 'AmazonSQS.ChangeMessageVisibilityBatch') {
      const entries = Array.isArray(input.Entries) ? (input.Entries as Entry[]) : [];
      const successful: { Id: unknown }[] = [];
      const failed: { Id: unknown; Code: string; SenderFault: boolean; Message: string }[] = [];
      for (const entry of entries) {
        const result = change(entry);
        if (result.ok) successful.push({ Id: entry.Id });
        else {
          failed.push({ Id: entry.Id, Code: result.code, SenderFault: true, Message: result.code });
        }
      }
      return reply(response, 200, { Successful: successful, Failed: failed });
    }
    return clientError(response, 'UnsupportedOperation', `${target} is not emulated`);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    queueUrl: `http://127.0.0.1:${port}/000000000000/soak-signing-events`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
