import { randomUUID } from 'node:crypto';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
}

export interface ReceivedMessage extends QueuedMessage {
  readonly receiptHandle: string;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  readonly sentAt: number;
}

export interface DeadLetter extends QueuedMessage {
  readonly receiveCount: number;
  readonly movedAt: number;
}

export interface QueueStats {
  sent: number;
  receives: number;
  /** Deliveries after the first: what visibility timeouts brought back. */
  redeliveries: number;
  deleted: number;
  /** Deletes with a receipt handle that a later receive had replaced: SQS ignores them. */
  staleDeletes: number;
  deadLettered: number;
}

export interface SqsQueue {
  /** `partner` links two copies of an event that should reach two function instances at once. */
  send(message: QueuedMessage, partner?: string): void;
  /** Up to `max` visible messages, never both partners of a pair in one batch. */
  receive(max: number): ReceivedMessage[];
  /** The given messages, if they are visible now (a pair's second half). */
  receiveExactly(messageIds: readonly string[]): ReceivedMessage[];
  partnerOf(messageId: string): string | undefined;
  /** True when the handle is the message's latest receipt; the message is then gone. */
  delete(receiptHandle: string): boolean;
  /** Messages still in the queue, visible or in flight. */
  size(): number;
  /** Milliseconds until the next in-flight message becomes visible again. */
  nextVisibleInMs(): number | undefined;
  readonly deadLetters: readonly DeadLetter[];
  readonly stats: Readonly<QueueStats>;
}

export interface SqsQueueOptions {
  readonly visibilityTimeoutMs: number;
  /** The redrive policy's maxReceiveCount: a message received this often goes to the DLQ next. */
  readonly maxReceiveCount: number;
  readonly now?: () => number;
}

interface Entry {
  readonly message: QueuedMessage;
  readonly sentAt: number;
  readonly partner: string | undefined;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string | undefined;
}

/**
 * A standard SQS queue with a redrive policy, as Lambda's event source mapping sees it: a
 * received message stays invisible for the visibility timeout and comes back unless deleted
 * with its latest receipt handle; one received maxReceiveCount times moves to the dead-letter
 * queue instead of being delivered again.
 */
export const createSqsQueue = (options: SqsQueueOptions): SqsQueue => {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const byReceipt = new Map<string, string>();
  const deadLetters: DeadLetter[] = [];
  const stats: QueueStats = {
    sent: 0,
    receives: 0,
    redeliveries: 0,
    deleted: 0,
    staleDeletes: 0,
    deadLettered: 0,
  };

  const deliver = (entry: Entry, at: number): ReceivedMessage => {
    entry.receiveCount += 1;
    entry.visibleAt = at + options.visibilityTimeoutMs;
    if (entry.receiptHandle) byReceipt.delete(entry.receiptHandle);
    entry.receiptHandle = randomUUID();
    byReceipt.set(entry.receiptHandle, entry.message.messageId);
    stats.receives += 1;
    if (entry.receiveCount > 1) stats.redeliveries += 1;
    return {
      ...entry.message,
      receiptHandle: entry.receiptHandle,
      receiveCount: entry.receiveCount,
      sentAt: entry.sentAt,
    };
  };

  /** Visible now; moved to the dead-letter queue (and not deliverable) when received too often. */
  const deliverable = (entry: Entry, at: number): boolean => {
    if (entry.visibleAt > at) return false;
    if (entry.receiveCount < options.maxReceiveCount) return true;
    entries.delete(entry.message.messageId);
    if (entry.receiptHandle) byReceipt.delete(entry.receiptHandle);
    deadLetters.push({ ...entry.message, receiveCount: entry.receiveCount, movedAt: at });
    stats.deadLettered += 1;
    return false;
  };

  return {
    send: (message, partner) => {
      if (entries.has(message.messageId)) throw new Error(`duplicate id ${message.messageId}`);
      const at = now();
      entries.set(message.messageId, {
        message,
        sentAt: at,
        partner,
        receiveCount: 0,
        visibleAt: at,
        receiptHandle: undefined,
      });
      stats.sent += 1;
    },
    receive: (max) => {
      const at = now();
      const batch: ReceivedMessage[] = [];
      const taken = new Set<string>();
      // Deleting the entry being visited is safe while iterating a Map.
      for (const entry of entries.values()) {
        if (batch.length >= max) break;
        if (entry.partner !== undefined && taken.has(entry.partner)) continue;
        if (!deliverable(entry, at)) continue;
        taken.add(entry.message.messageId);
        batch.push(deliver(entry, at));
      }
      return batch;
    },
    receiveExactly: (messageIds) => {
      const at = now();
      return messageIds.flatMap((id) => {
        const entry = entries.get(id);
        return entry && deliverable(entry, at) ? [deliver(entry, at)] : [];
      });
    },
    partnerOf: (messageId) => entries.get(messageId)?.partner,
    delete: (receiptHandle) => {
      const messageId = byReceipt.get(receiptHandle);
      if (messageId === undefined) {
        stats.staleDeletes += 1;
        return false;
      }
      byReceipt.delete(receiptHandle);
      entries.delete(messageId);
      stats.deleted += 1;
      return true;
    },
    size: () => entries.size,
    nextVisibleInMs: () => {
      const at = now();
      let soonest: number | undefined;
      for (const entry of entries.values()) {
        const wait = Math.max(0, entry.visibleAt - at);
        if (soonest === undefined || wait < soonest) soonest = wait;
        if (soonest === 0) break;
      }
      return soonest;
    },
    deadLetters,
    stats,
  };
};
