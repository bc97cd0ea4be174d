import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { type ChangeRecord, publishCompletionEvents } from '../../lib/events/completion-events.ts';
import { silentLog } from '../../lib/logger.ts';
import { completedRecord, entryViolations, expectCatalogued } from '../support/event-catalogue.ts';
import { recordMetrics } from '../support/recorded-metrics.ts';

/** A fake EventBridge as a test of publish makes one: it takes every entry, and checks it. */
const capturingEventBridge = () => {
  const send = async (command: PutEventsCommand) => {
    expectCatalogued(command.input.Entries ?? []);
    return { FailedEntryCount: 0, Entries: [{ EventId: 'taken' }] };
  };
  return { send } as unknown as Pick<EventBridgeClient, 'send'>;
};

const publish = (record: ChangeRecord) =>
  publishCompletionEvents(
    [record],
    { eventBridge: capturingEventBridge(), busName: 'signing', metrics: recordMetrics() },
    silentLog,
  );

describe('PutEvents entries a test captures itself (tests/support/event-catalogue.ts)', () => {
  it("tells how an entry of the stack's breaks its schema, as EventBridge would deliver it", () => {
    const entry = (detail: string, source = 'signinghub.finish') => ({
      Source: source,
      DetailType: 'SigningPackageCompleted',
      Detail: detail,
    });
    const good = JSON.stringify({ packageId: 7, status: 'COMPLETED', at: '2026-11-27T10:00:04Z' });

    expect(entryViolations([entry(good)])).toEqual([]);
    expect(entryViolations([entry('{"packageId":7}', 'upstream.signing')])).toEqual([]);
    expect(entryViolations([entry(good), entry('{"packageId":"7"}')])).toEqual([
      {
        index: 1,
        event: expect.objectContaining({ detail: { packageId: '7' }, region: 'eu-west-1' }),
        violations: [
          "/detail must have required property 'status'",
          "/detail must have required property 'at'",
          '/detail/packageId must be integer',
        ],
      },
    ]);
    expect(entryViolations([entry('not JSON')])).toEqual([
      expect.objectContaining({
        violations: expect.arrayContaining(["the event must have required property 'detail'"]),
      }),
    ]);
  });

  it('passes what publish sends for a package that became final', async () => {
    expect(await publish(completedRecord('1', '2026-11-27T10:00:04.000Z'))).toEqual({
      failedAt: undefined,
    });
  });

  // The fake took the event, so publish saw no failure: the check alone fails this test.
  it.fails('fails the test whose fake took an entry that breaks its schema', async () => {
    expect(await publish(completedRecord('1', 'soon'))).toEqual({ failedAt: undefined });
  });
});
