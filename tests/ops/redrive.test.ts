import { describe, expect, it } from 'vitest';
import { archiveRequestBody } from '../../lib/archive/archive-request.ts';
import { type MovedMessage, redrive } from '../../ops/redrive.ts';
import type { RedrivePort } from '../../ops/redrive-port.ts';
import { REDRIVE_QUEUES, type RedriveQueue } from '../../ops/redrive-queues.ts';
import { isUserError } from '../../ops/user-error.ts';
import { fakeQueues } from './fake-queues.ts';

const run = (port: RedrivePort<{ tag: string }>, max?: number, queue?: RedriveQueue) => {
  const moved: MovedMessage[] = [];
  const notes: string[] = [];
  let sleeps = 0;
  const result = redrive(port, {
    max,
    ...(queue ? { queue } : {}),
    onMoved: (entry) => moved.push(entry),
    onNote: (line) => notes.push(line),
    sleep: async () => {
      sleeps += 1;
    },
  });
  return { result, moved, notes, sleeps: () => sleeps };
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

describe('redrive, where a step of it fails or the queue is busy', () => {
  it('receives at most 10 at a time, and no more than --max leaves room for', async () => {
    const bodies = Array.from({ length: 12 }, (_, index) => event(index + 1));
    const all = fakeQueues(bodies);
    expect(await run(all.port).result).toMatchObject({ moved: 12, stoppedAtMax: false });
    expect(all.requested).toEqual([10, 10, 10]);
    const bounded = fakeQueues(bodies);
    expect(await run(bounded.port, 11).result).toMatchObject({ moved: 11, stoppedAtMax: true });
    expect(bounded.requested).toEqual([10, 1]);
    expect(bounded.visible.map((message) => message.messageId)).toEqual(['dlq-12']);
  });

  it('keeps the failure that stopped it when releasing the rest fails too', async () => {
    const fake = fakeQueues([event(1), event(2), event(3)], {
      failSend: ['dlq-1'],
      failRelease: true,
    });
    await expect(run(fake.port).result).rejects.toThrow(
      /^redrive stopped after moving 0 messages: message dlq-1 could not be put on the queue/,
    );
    // Each was tried, though each failed: they show again after their visibility timeout.
    expect(fake.calls.filter((call) => call.startsWith('release'))).toEqual([
      'release dlq-1',
      'release dlq-2',
      'release dlq-3',
    ]);
    expect(fake.queue).toEqual([]);
  });

  it('names what a send threw even when it is not an Error', async () => {
    const fake = fakeQueues([event(1)], { failSend: ['dlq-1'], sendFailure: 'socket closed' });
    const error: unknown = await run(fake.port).result.catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('could not be put on the queue (socket closed)');
    expect((error as Error).cause).toBe('socket closed');
  });

  it("names only the first line of a failure's message", async () => {
    const fake = fakeQueues([event(1)], {
      failSend: ['dlq-1'],
      sendFailure: new TypeError('fetch failed\n    at the stack'),
    });
    const error: unknown = await run(fake.port).result.catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('(TypeError: fetch failed); it stays');
    expect((error as Error).message).not.toContain('the stack');
  });

  it('keeps the cause of a failed send and of a failed delete', async () => {
    const send = fakeQueues([event(1)], { failSend: ['dlq-1'] });
    const sendError: unknown = await run(send.port).result.catch((caught: unknown) => caught);
    expect((sendError as Error).cause).toEqual(new Error('queue refused it'));
    const remove = fakeQueues([event(1)], { failDelete: ['dlq-1'] });
    const deleteError: unknown = await run(remove.port).result.catch((caught: unknown) => caught);
    expect((deleteError as Error).message).toContain(
      'could not be deleted from the dead-letter queue (Error: delete refused); a later redrive',
    );
    expect((deleteError as Error).cause).toEqual(new Error('delete refused'));
  });

  it('releases only the messages after the one it could not delete', async () => {
    const fake = fakeQueues([event(1), event(2), event(3)], { failDelete: ['dlq-2'] });
    await run(fake.port).result.catch(() => undefined);
    expect(fake.calls.filter((call) => call.startsWith('release'))).toEqual(['release dlq-3']);
  });

  it('moves them with --max even while others are in flight', async () => {
    const fake = fakeQueues([event(1)], { inFlight: 3 });
    expect(await run(fake.port, 5).result).toMatchObject({ method: 'one-by-one', moved: 1 });
    expect(await run(fakeQueues([], { inFlight: 3 }).port, 5).result).toEqual({
      method: 'none',
      moved: 0,
    });
  });

  it('moves the visible messages while others are in flight', async () => {
    const fake = fakeQueues([event(1), event(2)], { inFlight: 1 });
    expect(await run(fake.port).result).toMatchObject({ method: 'one-by-one', moved: 2 });
  });

  it('says one message in flight as one', async () => {
    await expect(run(fakeQueues([], { inFlight: 1 }).port).result).rejects.toThrow(
      'the dead-letter queue shows no message but 1 message in flight (someone is receiving ' +
        'them, or a redrive is running): try again in a few minutes',
    );
  });
});

describe("redrive, following SQS's message move task", () => {
  it('looks at the task again after each wait until it ends', async () => {
    const fake = fakeQueues([event(1)], { moveTask: ['RUNNING', 'RUNNING', 'COMPLETED'] });
    const { result, notes, sleeps } = run(fake.port);
    expect(await result).toEqual({ method: 'move-task', moved: 1 });
    expect(sleeps()).toBe(2);
    expect(notes).toEqual(["started SQS's message move task for about 1 message; waiting for it"]);
  });

  it('reports a task that was cancelled, without a reason it did not give', async () => {
    const fake = fakeQueues([event(1), event(2)], { moveTask: ['CANCELLED'] });
    await expect(run(fake.port).result).rejects.toThrow(
      /^the message move task ended CANCELLED after moving 1 message: what it did not move stays in the dead-letter queue; run npm run redrive again$/,
    );
  });
});

describe("redrive of the archive's dead letters", () => {
  const archive = REDRIVE_QUEUES.archive;
  const request = (packageId: number) =>
    archiveRequestBody({ packageId, tenant: 'acme', force: false });

  it('says what each archive request is, with its tenant', async () => {
    const fake = fakeQueues([request(1), event(2)]);
    const { result, moved } = run(fake.port, undefined, archive);
    expect(await result).toMatchObject({ method: 'one-by-one', moved: 2 });
    expect(moved).toEqual([
      { messageId: 'dlq-1', queueMessageId: 'q-1', packageId: 1, tenant: 'acme' },
      { messageId: 'dlq-2', queueMessageId: 'q-2', packageId: undefined },
    ]);
  });

  it("names the archive's own redrive and the function that takes a duplicate as one", async () => {
    const send = fakeQueues([request(1)], { failSend: ['dlq-1'] });
    await expect(run(send.port, undefined, archive).result).rejects.toThrow(
      /as do the rest: fix that and run npm run redrive -- --queue archive again$/,
    );
    const remove = fakeQueues([request(1)], { failDelete: ['dlq-1'] });
    await expect(run(remove.port, undefined, archive).result).rejects.toThrow(
      /a later redrive moves it again and the archive function takes the duplicate as one$/,
    );
    const bounce = fakeQueues([request(1)], { bounce: true });
    await expect(run(bounce.port, undefined, archive).result).rejects.toThrow(
      /fix it and run npm run redrive -- --queue archive again$/,
    );
    const task = fakeQueues([request(1)], { moveTask: ['FAILED'] });
    await expect(run(task.port, undefined, archive).result).rejects.toThrow(
      /; run npm run redrive -- --queue archive again$/,
    );
  });
});
