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
  /** When each receive happened, the first first. */
  readonly receivedAt: readonly number[];
  /** Deletes that came with a receipt a later receive had replaced: SQS ignored them. */
  readonly staleDeletes: number;
  /** Times the function kept it away longer (ChangeMessageVisibility). */
  readonly handedBackLater: number;
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
  /** ChangeMessageVisibility calls that SQS carried out (an open circuit's hand-backs). */
  visibilityChanges: number;
  /** ChangeMessageVisibility calls refused: the receipt was not the message's latest. */
  visibilityChangesRefused: number;
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
  /**
   * ChangeMessageVisibility: the message stays away `visibleInMs` from now. False (and nothing
   * changed) when the handle is not the message's latest receipt, as SQS refuses it.
   */
  changeVisibility(receiptHandle: string, visibleInMs: number): boolean;
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
  readonly receivedAt: number[];
  staleDeletes: number;
  handedBackLater: number;
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
  /** Every receipt ever given, by message, so a stale delete is charged to its message. */
  const oldReceipts = new Map<string, Entry>();
  const deadLetters: DeadLetter[] = [];
  const stats: QueueStats = {
    sent: 0,
    receives: 0,
    redeliveries: 0,
    deleted: 0,
    staleDeletes: 0,
    deadLettered: 0,
    visibilityChanges: 0,
    visibilityChangesRefused: 0,
  };

  const deliver = (entry: Entry, at: number): ReceivedMessage => {
    entry.receiveCount += 1;
    entry.visibleAt = at + options.visibilityTimeoutMs;
    entry.receivedAt.push(at);
    if (entry.receiptHandle) {
      byReceipt.delete(entry.receiptHandle);
      oldReceipts.set(entry.receiptHandle, entry);
    }
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
    if (entry.receiptHandle) {
      byReceipt.delete(entry.receiptHandle);
      oldReceipts.set(entry.receiptHandle, entry);
    }
    deadLetters.push({
      ...entry.message,
      receiveCount: entry.receiveCount,
      movedAt: at,
      receivedAt: [...entry.receivedAt],
      staleDeletes: entry.staleDeletes,
      handedBackLater: entry.handedBackLater,
    });
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
        receivedAt: [],
        staleDeletes: 0,
        handedBackLater: 0,
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
        const stale = oldReceipts.get(receiptHandle);
        if (stale) stale.staleDeletes += 1;
        return false;
      }
      byReceipt.delete(receiptHandle);
      entries.delete(messageId);
      stats.deleted += 1;
      return true;
    },
    changeVisibility: (receiptHandle, visibleInMs) => {
      const entry = entries.get(byReceipt.get(receiptHandle) ?? '');
      if (!entry) {
        stats.visibilityChangesRefused += 1;
        return false;
      }
      entry.visibleAt = now() + visibleInMs;
      entry.handedBackLater += 1;
      stats.visibilityChanges += 1;
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
