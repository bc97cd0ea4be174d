import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deliveredEvent,
  type EventCatalogue,
  loadEventCatalogue,
  STACK_SOURCE,
} from './event-catalogue.ts';

export interface ReceivedEvent {
  readonly id: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly at: number;
  /** The event as EventBridge delivers it to a rule's target (an SQS target's message body). */
  readonly delivered: Readonly<Record<string, unknown>>;
}

/** An event of the stack's that its schema in docs/events/ refuses: the emulator refused it too. */
export interface CatalogueViolation {
  readonly busName: string;
  readonly detailType: string;
  readonly event: Readonly<Record<string, unknown>>;
  readonly violations: readonly string[];
}

export interface EventBridgeEmulator {
  /** Give this to the SDK as AWS_ENDPOINT_URL_EVENTBRIDGE. */
  readonly url: string;
  readonly events: readonly ReceivedEvent[];
  /** Each entry of source signinghub.finish that broke its schema (and was refused). */
  readonly violations: readonly CatalogueViolation[];
  /** The next `count` PutEvents entries are refused (as EventBridge does under throttling). */
  failNext(count: number): void;
  /** Stops it; rejects, naming them, when an event broke the catalogue, so no test misses one. */
  close(): Promise<void>;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
}

const MAX_BODY = 1024 * 1024;
/** The account a rule's target sees in the envelope (the emulator has none of its own). */
const ACCOUNT = '123456789012';
const CREDENTIAL_REGION = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//;

/** The region the caller signed its request for, as EventBridge's own would be. */
const regionOf = (request: IncomingMessage): string =>
  CREDENTIAL_REGION.exec(String(request.headers.authorization ?? ''))?.[1] ?? 'us-east-1';

const violationReport = (violations: readonly CatalogueViolation[]): string =>
  violations
    .map(
      (violation) =>
        `${violation.detailType} on bus ${violation.busName}: ${violation.violations.join('; ')}` +
        `\n  ${JSON.stringify(violation.event)}`,
    )
    .join('\n');

/**
 * Enough of EventBridge's PutEvents (AWS JSON 1.1) for the publisher, on 127.0.0.1. Every entry
 * of source signinghub.finish is checked against its schema in docs/events/, as a rule's target
 * would receive it: one that breaks it is refused (error code CatalogueViolation, the sender sees
 * it), told on stderr, kept in `violations`, and makes `close()` reject.
 */
export const startEventBridgeEmulator = async (
  port = 0,
  options: {
    readonly catalogue?: EventCatalogue;
    /** Where a refused event is told at once (stderr by default). */
    readonly tell?: (line: string) => void;
  } = {},
): Promise<EventBridgeEmulator> => {
  const catalogue = options.catalogue ?? loadEventCatalogue();
  const tell = options.tell ?? ((line: string) => process.stderr.write(`${line}\n`));
  const events: ReceivedEvent[] = [];
  const violations: CatalogueViolation[] = [];
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
    const region = regionOf(request);
    const entries = (input.Entries ?? []).map((entry) => {
      if (failures > 0) {
        failures -= 1;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      }
      const id = randomUUID();
      const at = Date.now();
      const busName = entry.EventBusName ?? 'default';
      let delivered: Record<string, unknown>;
      try {
        delivered = deliveredEvent(entry, { id, account: ACCOUNT, region, time: new Date(at) });
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
      }
      const detailType = entry.DetailType ?? '';
      const broken = entry.Source === STACK_SOURCE ? catalogue.violations(delivered) : [];
      if (broken.length > 0) {
        const violation = { busName, detailType, event: delivered, violations: broken };
        violations.push(violation);
        tell(
          `EventBridge emulator: refused an event its schema refuses: ${violationReport([violation])}`,
        );
        const schema = `docs/events/${detailType}.schema.json`;
        return { ErrorCode: 'CatalogueViolation', ErrorMessage: `${schema}: ${broken.join('; ')}` };
      }
      const { source, detail } = delivered;
      events.push({ id, busName, source: String(source), detailType, detail, at, delivered });
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
    violations,
    failNext: (count) => {
      failures = count;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (violations.length > 0) {
        throw new Error(
          `${violations.length} event(s) broke the event catalogue (docs/events/):\n` +
            violationReport(violations),
        );
      }
    },
  };
};
