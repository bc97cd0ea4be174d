import { expect } from 'vitest';
import {
  deliveredEvent,
  type EventCatalogue,
  loadEventCatalogue,
  type PutEventsEntry,
  STACK_SOURCE,
} from '../../harness/event-catalogue.ts';
import type { ChangeRecord } from '../../lib/events/completion-events.ts';
import type { SigningHubFinishEvent } from '../../lib/events/event-catalogue.ts';

let loaded: EventCatalogue | undefined;

/** The catalogue's schemas, compiled once per test file. */
export const eventCatalogue = (): EventCatalogue => {
  loaded ??= loadEventCatalogue();
  return loaded;
};

/** How each event breaks its schema, by position; nothing for events that match. */
const brokenRules = (events: readonly unknown[]) =>
  events.flatMap((event, index) => {
    const violations = eventCatalogue().violations(event);
    return violations.length > 0 ? [{ index, event, violations }] : [];
  });

/**
 * Fails the running test (without throwing, so code that catches what its client throws cannot
 * hide it) when an event of the stack, as a rule's target received it, breaks its schema.
 */
export const expectDeliveredCatalogued = (events: readonly unknown[]): void => {
  const stacks = events.filter(
    (event) =>
      typeof event === 'object' &&
      event !== null &&
      'source' in event &&
      event.source === STACK_SOURCE,
  );
  expect.soft(brokenRules(stacks), 'events that break docs/events/').toEqual([]);
};

/**
 * How the PutEvents entries of source signinghub.finish a test captured break their schemas, each
 * checked as EventBridge would deliver it: nothing when they all match.
 */
export const entryViolations = (entries: readonly PutEventsEntry[]) =>
  brokenRules(
    entries
      .filter((entry) => entry.Source === STACK_SOURCE)
      .map((entry) => {
        try {
          return deliveredEvent(entry, {
            id: '00000000-0000-4000-8000-000000000000',
            account: '123456789012',
            region: 'eu-west-1',
            time: new Date(),
          });
        } catch {
          return { 'detail-type': entry.DetailType, unparsableDetail: entry.Detail };
        }
      }),
  );

/**
 * For a test's own fake EventBridge: fails the running test (without throwing, so the code under
 * test cannot catch it) when a captured entry of the stack's breaks its schema.
 */
export const expectCatalogued = (entries: readonly PutEventsEntry[]): void => {
  expect.soft(entryViolations(entries), 'PutEvents entries that break docs/events/').toEqual([]);
};

/** An event a rule target received, as the generated type it matches (throws when it breaks it). */
export const asCatalogued = (event: unknown): SigningHubFinishEvent => {
  const violations = eventCatalogue().violations(event);
  if (violations.length > 0) {
    throw new Error(`the event breaks docs/events/: ${violations.join('; ')}`);
  }
  return event as SigningHubFinishEvent;
};

/**
 * A stream record of a package of acme's made COMPLETED at `completedAt`, the date publish puts in
 * its event: something else than a date makes an event its schema refuses.
 */
export const completedRecord = (sequence: string, completedAt: string): ChangeRecord => ({
  eventName: 'MODIFY',
  dynamodb: {
    SequenceNumber: sequence,
    NewImage: {
      pk: { S: 'TENANT#acme#PACKAGE#7' },
      sk: { S: 'PACKAGE' },
      status: { S: 'COMPLETED' },
      completedAt: { S: completedAt },
    },
  },
});
