import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ChangeRecord } from '../../../lib/events/completion-events.ts';

/** Stream records of package items, and an EventBridge that keeps what it is sent. */

export type Image = NonNullable<NonNullable<ChangeRecord['dynamodb']>['NewImage']>;

export const packageImage = (packageId: number, status: string, extra: Image = {}): Image => ({
  pk: { S: `PACKAGE#${packageId}` },
  sk: { S: 'PACKAGE' },
  status: { S: status },
  updatedAt: { S: '2026-11-27T10:00:05.000Z' },
  ...extra,
});

export const change = (
  sequence: string | undefined,
  next: Image | undefined,
  old?: Image,
  eventName = old ? 'MODIFY' : 'INSERT',
): ChangeRecord => ({
  eventName,
  dynamodb: {
    ...(sequence === undefined ? {} : { SequenceNumber: sequence }),
    ...(next ? { NewImage: next } : {}),
    ...(old ? { OldImage: old } : {}),
  },
});

/** An EventBridge that keeps each PutEvents entry and answers from a script (default: taken). */
export const eventBridge = (answers: ({ FailedEntryCount: number } | Error)[] = []) => {
  const entries: Record<string, unknown>[] = [];
  const send = async (command: PutEventsCommand) => {
    for (const entry of command.input.Entries ?? []) {
      entries.push({ ...entry, Detail: JSON.parse(entry.Detail ?? 'null') });
    }
    const answer = answers.shift() ?? { FailedEntryCount: 0 };
    if (answer instanceof Error) throw answer;
    return {
      ...answer,
      Entries:
        answer.FailedEntryCount > 0 ? [{ ErrorCode: 'Throttled', ErrorMessage: 'slow down' }] : [],
    };
  };
  return { entries, client: { send } as unknown as Pick<EventBridgeClient, 'send'> };
};
