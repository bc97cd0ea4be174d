import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { publishCompletionEvents } from '../../lib/events/completion-events.ts';
import { silentLog } from '../../lib/logger.ts';
import { completedRecord, eventCatalogue } from '../support/event-catalogue.ts';
import { recordMetrics } from '../support/recorded-metrics.ts';

let emulator: EventBridgeEmulator;
let told: string[];
let client: EventBridgeClient;
let closed: boolean;

beforeEach(async () => {
  told = [];
  emulator = await startEventBridgeEmulator(0, { tell: (line) => told.push(line) });
  closed = false;
  client = new EventBridgeClient({
    endpoint: emulator.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  if (!closed) await emulator.close();
});

/** What a test that saw the violation expects of the end: close() fails, naming it. */
const closeFailing = async (named: RegExp) => {
  closed = true;
  await expect(emulator.close()).rejects.toThrow(named);
};

const put = (source: string, detailType: string, detail: unknown) =>
  client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'signing-events',
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );

const COMPLETED = { packageId: 7, status: 'COMPLETED', at: '2026-11-27T10:00:04.000Z' };

describe("the EventBridge emulator holds the stack's events to the catalogue", () => {
  it('takes an event its schema describes, and keeps it as a rule target receives it', async () => {
    const answer = await put('signinghub.finish', 'SigningPackageCompleted', COMPLETED);

    expect(answer.FailedEntryCount).toBe(0);
    const [event] = emulator.events;
    expect(event?.delivered).toEqual({
      version: '0',
      id: event?.id,
      'detail-type': 'SigningPackageCompleted',
      source: 'signinghub.finish',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      // The region the client signed for, as EventBridge's own.
      region: 'eu-west-1',
      resources: [],
      detail: COMPLETED,
    });
    expect(eventCatalogue().violations(event?.delivered)).toEqual([]);
    expect(emulator.violations).toEqual([]);
    expect(told).toEqual([]);
  });

  it('refuses an event with a field its schema does not name: the sender, the log and close() say so', async () => {
    const answer = await put('signinghub.finish', 'SigningPackageCompleted', {
      ...COMPLETED,
      statusCode: 200,
    });

    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]?.ErrorCode).toBe('CatalogueViolation');
    const rule = '/detail must NOT have additional properties ("statusCode")';
    expect(answer.Entries?.[0]?.ErrorMessage).toContain(rule);
    expect(emulator.events).toEqual([]);
    expect(emulator.violations).toEqual([
      expect.objectContaining({
        busName: 'signing-events',
        detailType: 'SigningPackageCompleted',
        violations: [rule],
      }),
    ]);
    expect(told).toEqual([expect.stringContaining(rule)]);
    await closeFailing(/1 event\(s\) broke the event catalogue[\s\S]*"statusCode"/);
  });

  it('refuses an event of the stack that the catalogue has no schema for', async () => {
    const answer = await put('signinghub.finish', 'SigningPackageRenamed', COMPLETED);

    expect(answer.Entries?.[0]?.ErrorMessage).toContain(
      'no schema in docs/events/ for detail-type "SigningPackageRenamed"',
    );
    await closeFailing(/SigningPackageRenamed/);
  });

  it("leaves other senders' events alone (an operator's archive request)", async () => {
    const request = { packageId: 7, force: true };
    const answer = await put(
      'signinghub.finish.operator',
      'SigningPackageArchiveRequested',
      request,
    );

    expect(answer.FailedEntryCount).toBe(0);
    expect(emulator.events.map((event) => event.detail)).toEqual([request]);
  });

  it("makes publish's event that breaks its schema a refusal publish sees, and a failed test", async () => {
    const metrics = recordMetrics();
    // Not a date: the event's `at` is not one either.
    const result = await publishCompletionEvents(
      [completedRecord('41', 'soon')],
      { eventBridge: client, busName: 'signing-events', metrics },
      silentLog,
    );

    expect(result).toEqual({ failedAt: '41' });
    expect(metrics.total('CompletionEventRefused')).toBe(1);
    expect(emulator.violations.flatMap((violation) => violation.violations)).toEqual([
      expect.stringMatching(/^\/detail\/at must match pattern/),
      '/detail/at must match format "date-time"',
    ]);
    await closeFailing(/\/detail\/at must match pattern/);
  });
});
