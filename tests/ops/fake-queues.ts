import type { DeadLetter, RedrivePort } from '../../ops/redrive-port.ts';

interface FakeOptions {
  /** Message ids whose send fails. */
  readonly failSend?: readonly string[];
  readonly failDelete?: readonly string[];
  readonly moveTask?: 'unsupported' | readonly string[];
  readonly inFlight?: number;
  /** What is sent comes straight back to the dead-letter queue (its cause is not fixed). */
  readonly bounce?: boolean;
  /** Every release fails (the message then shows again only after its visibility timeout). */
  readonly failRelease?: boolean;
  /** What a failed send throws (an Error by default). */
  readonly sendFailure?: unknown;
}

/** Two queues in memory, and a log of every call made on them, in order. */
export const fakeQueues = (bodies: readonly string[], options: FakeOptions = {}) => {
  let next = 0;
  const visible: DeadLetter<{ tag: string }>[] = bodies.map((body, index) => ({
    messageId: `dlq-${index + 1}`,
    receiptHandle: `receipt-${index + 1}`,
    body,
    attributes: { tag: `t${index + 1}` },
  }));
  const hidden: DeadLetter<{ tag: string }>[] = [];
  const queue: { id: string; body: string; tag: string }[] = [];
  const calls: string[] = [];
  /** How many messages each receive asked for. */
  const requested: number[] = [];
  const taskStates = options.moveTask === 'unsupported' ? [] : [...(options.moveTask ?? [])];
  const port: RedrivePort<{ tag: string }> = {
    count: async () => ({ visible: visible.length, inFlight: options.inFlight ?? hidden.length }),
    startMoveTask: async () => {
      calls.push('startMoveTask');
      return options.moveTask === 'unsupported' || options.moveTask === undefined
        ? { notOffered: 'this SQS does not offer StartMessageMoveTask (test)' }
        : 'started';
    },
    moveTaskProgress: async () => {
      const status = taskStates.length > 1 ? (taskStates.shift() ?? '') : (taskStates[0] ?? '');
      return {
        status,
        moved: status === 'COMPLETED' ? bodies.length : 1,
        failureReason: status === 'FAILED' ? 'the queue refused' : undefined,
      };
    },
    receive: async (max) => {
      requested.push(max);
      const batch = visible.splice(0, max);
      hidden.push(...batch);
      calls.push(`receive ${batch.map((m) => m.messageId).join(',')}`);
      return batch;
    },
    send: async (message) => {
      calls.push(`send ${message.messageId}`);
      if (options.failSend?.includes(message.messageId)) {
        throw options.sendFailure ?? new Error('queue refused it');
      }
      next += 1;
      queue.push({ id: `q-${next}`, body: message.body, tag: message.attributes.tag });
      if (options.bounce) {
        visible.push({ ...message, messageId: `q-${next}`, receiptHandle: `receipt-q-${next}` });
      }
      return `q-${next}`;
    },
    delete: async (message) => {
      calls.push(`delete ${message.messageId}`);
      if (options.failDelete?.includes(message.messageId)) throw new Error('delete refused');
      hidden.splice(hidden.indexOf(message), 1);
    },
    release: async (message) => {
      calls.push(`release ${message.messageId}`);
      if (options.failRelease) throw new Error('release refused');
      hidden.splice(hidden.indexOf(message), 1);
      visible.unshift(message);
    },
  };
  return { port, visible, hidden, queue, calls, requested };
};
