import { setTimeout as delay } from 'node:timers/promises';
import type { SqsQueue } from './sqs-emulation.ts';
import type { WorkloadMessage } from './workload.ts';

export interface PacedSender {
  /** When each message went on the queue. */
  readonly sentAt: ReadonlyMap<string, number>;
  /** Resolves once every message is on the queue (or the run ended first). */
  readonly done: Promise<void>;
}

const TICK_MS = 100;

/**
 * Puts the messages on the queue in order, `perSecond` of them a second (all at once when
 * undefined): signing events arrive as signers sign, so the time from an event to its settled
 * finish measures the function, not a backlog made up front. A concurrent pair goes together.
 */
export const sendPaced = (
  queue: SqsQueue,
  messages: readonly WorkloadMessage[],
  perSecond: number | undefined,
  ended: () => boolean,
): PacedSender => {
  const sentAt = new Map<string, number>();
  const send = (message: WorkloadMessage) => {
    queue.send({ messageId: message.messageId, body: message.body }, message.partner);
    sentAt.set(message.messageId, Date.now());
  };
  const done = (async () => {
    if (perSecond === undefined) {
      for (const message of messages) send(message);
      return;
    }
    const startedAt = Date.now();
    let next = 0;
    while (next < messages.length && !ended()) {
      const due = Math.min(
        messages.length,
        Math.floor(((Date.now() - startedAt) / 1000) * perSecond) + 1,
      );
      while (next < due) {
        const message = messages[next];
        if (message) send(message);
        next += 1;
      }
      // The second half of a pair never waits a tick after the first.
      const partner = messages[next];
      if (partner !== undefined && messages[next - 1]?.partner === partner.messageId) {
        send(partner);
        next += 1;
      }
      await delay(TICK_MS);
    }
  })();
  return { sentAt, done };
};
