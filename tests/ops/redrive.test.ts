import { describe, expect, it } from 'vitest';
import { type MovedMessage, redrive } from '../../ops/redrive.ts';
import type { DeadLetter, RedrivePort } from '../../ops/redrive-port.ts';
import { isUserError } from '../../ops/user-error.ts';

interface FakeOptions {
  /** Message ids whose send fails. */
  readonly failSend?: readonly string[];
  readonly failDelete?: readonly string[];
  readonly moveTask?: 'unsupported' | readonly string[];
  readonly inFlight?: number;
  /** What is sent comes straight back to the dead-letter queue (its cause is not fixed). */
  readonly bounce?: boolean;
}

/** Two queues in memory, and a log of every call made on them, in order. */
const fakeQueues = (bodies: readonly string[], options: FakeOptions = {}) => {
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
  const taskStates = options.moveTask === 'unsupported' ? [] : [...(options.moveTask ?? [])];
  const port: RedrivePort<{ tag: string }> = {
    count: async () => ({ visible: visible.length, inFlight: options.inFlight ?? hidden.length }),
    startMoveTask: async () => {
      calls.push('startMoveTask');
      return options.moveTask === 'unsupported' || options.moveTask === undefined
        ? { started: false, reason: 'this SQS does not offer StartMessageMoveTask (test)' }
        : { started: true };
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
      const batch = visible.splice(0, max);
      hidden.push(...batch);
      calls.push(`receive ${batch.map((m) => m.messageId).join(',')}`);
      return batch;
    },
    send: async (message) => {
      calls.push(`send ${message.messageId}`);
      if (options.failSend?.includes(message.messageId)) throw new Error('queue refused it');
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
      hidden.splice(hidden.indexOf(message), 1);
      visible.unshift(message);
    },
  };
  return { port, visible, hidden, queue, calls };
};

const run = (port: RedrivePort<{ tag: string }>, max?: number) => {
  const moved: MovedMessage[] = [];
  const notes: string[] = [];
  const result = redrive(port, {
    max,
    onMoved: (entry) => moved.push(entry),
    onNote: (line) => notes.push(line),
    sleep: async () => {},
  });
  return { result, moved, notes };
};

const event = (packageId: number) => JSON.stringify({ packageId, signerEmail: 'Bob@Example.com' });

describe('redrive, moving messages itself', () => {
  it('puts each message on the queue before it deletes it from the dead-letter queue', async () => {
    const fake = fakeQueues([event(1), event(2), 'not json']);
    const { result, moved, notes } = run(fake.port);
    expect(await result).toMatchObject({ method: 'one-by-one', moved: 3, stoppedAtMax: false });
    expect(notes).toEqual([
      'this SQS does not offer StartMessageMoveTask (test): moving the messages one by one',
    ]);
    expect(fake.calls).toEqual([
      'startMoveTask',
      'receive dlq-1,dlq-2,dlq-3',
      'send dlq-1',
      'delete dlq-1',
      'send dlq-2',
      'delete dlq-2',
      'send dlq-3',
      'delete dlq-3',
      'receive ',
    ]);
    expect(fake.queue).toEqual([
      { id: 'q-1', body: event(1), tag: 't1' },
      { id: 'q-2', body: event(2), tag: 't2' },
      { id: 'q-3', body: 'not json', tag: 't3' },
    ]);
    expect(moved).toEqual([
      { messageId: 'dlq-1', queueMessageId: 'q-1', packageId: 1, signerEmail: 'bob@example.com' },
      { messageId: 'dlq-2', queueMessageId: 'q-2', packageId: 2, signerEmail: 'bob@example.com' },
      { messageId: 'dlq-3', queueMessageId: 'q-3', packageId: undefined, signerEmail: undefined },
    ]);
    expect(fake.visible).toEqual([]);
    expect(fake.hidden).toEqual([]);
  });

  it('leaves a message whose send failed, and the rest of its batch, in the dead-letter queue', async () => {
    const fake = fakeQueues([event(1), event(2), event(3)], { failSend: ['dlq-2'] });
    const { result, moved } = run(fake.port);
    const error: unknown = await result.catch((caught: unknown) => caught);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^redrive stopped after moving 1 message: message dlq-2 could not be put on the queue \(Error: queue refused it\); it stays in the dead-letter queue/,
    );
    expect(fake.calls).not.toContain('delete dlq-2');
    expect(fake.calls).not.toContain('send dlq-3');
    expect(moved.map((entry) => entry.messageId)).toEqual(['dlq-1']);
    // Visible again at once, not after the visibility timeout.
    expect(fake.visible.map((message) => message.messageId)).toEqual(['dlq-3', 'dlq-2']);
    expect(fake.queue.map((entry) => entry.body)).toEqual([event(1)]);
  });

  it('stops when a delete fails, saying the message is on both queues', async () => {
    const fake = fakeQueues([event(1), event(2)], { failDelete: ['dlq-1'] });
    const error: unknown = await run(fake.port).result.catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /^redrive stopped after moving 1 message: message dlq-1 is on the queue \(as q-1\) but could not be deleted/,
    );
    expect(fake.calls).not.toContain('send dlq-2');
    expect(fake.visible.map((message) => message.messageId)).toEqual(['dlq-2']);
  });

  it('moves at most --max, receiving no more than it may move', async () => {
    const fake = fakeQueues([event(1), event(2), event(3)]);
    const { result } = run(fake.port, 2);
    expect(await result).toMatchObject({ method: 'one-by-one', moved: 2, stoppedAtMax: true });
    expect(fake.calls).toEqual([
      'receive dlq-1,dlq-2',
      'send dlq-1',
      'delete dlq-1',
      'send dlq-2',
      'delete dlq-2',
    ]);
    expect(fake.visible.map((message) => message.messageId)).toEqual(['dlq-3']);
  });

  it('does not stop at --max when the queue ran dry first', async () => {
    const fake = fakeQueues([event(1)]);
    expect(await run(fake.port, 5).result).toMatchObject({ moved: 1, stoppedAtMax: false });
  });

  it('stops when a message it moved comes back, rather than move it round and round', async () => {
    const fake = fakeQueues([event(1)], { bounce: true });
    await expect(run(fake.port).result).rejects.toThrow(
      /^message q-1 came back to the dead-letter queue during this redrive \(after 1 message moved\)/,
    );
    expect(fake.calls.filter((call) => call.startsWith('send'))).toEqual(['send dlq-1']);
    expect(fake.visible.map((message) => message.messageId)).toEqual(['q-1']);
  });

  it('answers that there was nothing to move for an empty dead-letter queue', async () => {
    const fake = fakeQueues([]);
    expect(await run(fake.port).result).toEqual({ method: 'none', moved: 0 });
    expect(await run(fake.port, 3).result).toEqual({ method: 'none', moved: 0 });
    expect(fake.calls).not.toContain('startMoveTask');
  });

  it('says so when every message is in flight rather than call the queue empty', async () => {
    const fake = fakeQueues([], { inFlight: 4 });
    await expect(run(fake.port).result).rejects.toThrow(
      /shows no message but 4 messages in flight/,
    );
  });
});

describe("redrive, with SQS's message move task", () => {
  it('starts the task and waits for it to complete, moving nothing itself', async () => {
    const fake = fakeQueues([event(1), event(2)], {
      moveTask: ['RUNNING', 'RUNNING', 'COMPLETED'],
    });
    const { result, notes } = run(fake.port);
    expect(await result).toEqual({ method: 'move-task', moved: 2 });
    expect(notes).toEqual(["started SQS's message move task for about 2 messages; waiting for it"]);
    expect(fake.calls).toEqual(['startMoveTask']);
  });

  it('reports a task that failed, with its reason', async () => {
    const fake = fakeQueues([event(1), event(2)], { moveTask: ['RUNNING', 'FAILED'] });
    await expect(run(fake.port).result).rejects.toThrow(
      'the message move task ended FAILED after moving 1 message (the queue refused)',
    );
  });

  it('is not used with --max, which it cannot bound', async () => {
    const fake = fakeQueues([event(1), event(2)], { moveTask: ['COMPLETED'] });
    expect(await run(fake.port, 1).result).toMatchObject({ method: 'one-by-one', moved: 1 });
    expect(fake.calls).not.toContain('startMoveTask');
  });
});
