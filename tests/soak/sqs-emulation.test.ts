import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localAws } from '../../harness/local-aws.ts';
import { handBackLaterThrough } from '../../lib/aws/visibility.ts';
import { createEventSourceMapping, type FunctionInstance } from './event-source-mapping.ts';
import { createSqsQueue, type ReceivedMessage } from './sqs-emulation.ts';
import { startSqsEndpoint } from './sqs-endpoint.ts';

const clock = () => {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

const message = (id: string) => ({ messageId: id, body: `{"packageId":${id.length}}` });

/** A queue whose one message was received, then received again once it came back. */
const receivedTwice = () => {
  const time = clock();
  const queue = createSqsQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 5, now: time.now });
  queue.send(message('a'));
  const [stale] = queue.receive(1);
  time.advance(10);
  const [latest] = queue.receive(1);
  return { time, queue, stale, latest };
};

describe('the SQS emulation', () => {
  it('hides a received message for the visibility timeout, then delivers it again', () => {
    const time = clock();
    const queue = createSqsQueue({ visibilityTimeoutMs: 100, maxReceiveCount: 5, now: time.now });
    queue.send(message('a'));

    const [first] = queue.receive(10);
    expect(queue.receive(10)).toEqual([]);
    time.advance(100);
    const [second] = queue.receive(10);

    expect(first?.receiveCount).toBe(1);
    expect(second).toMatchObject({ messageId: 'a', receiveCount: 2 });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    expect(queue.stats.redeliveries).toBe(1);
  });

  it('dead-letters a message received five times instead of delivering it a sixth', () => {
    const time = clock();
    const queue = createSqsQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 5, now: time.now });
    queue.send(message('a'));
    for (let i = 1; i <= 5; i += 1) {
      expect(queue.receive(10).map((m) => m.receiveCount)).toEqual([i]);
      time.advance(10);
    }
    expect(queue.receive(10)).toEqual([]);
    expect(queue.deadLetters).toEqual([
      expect.objectContaining({ messageId: 'a', receiveCount: 5 }),
    ]);
    expect(queue.size()).toBe(0);
  });

  it('deletes only with the latest receipt handle', () => {
    const { queue, stale, latest } = receivedTwice();

    expect(queue.delete(stale?.receiptHandle ?? '')).toBe(false);
    expect(queue.size()).toBe(1);
    expect(queue.delete(latest?.receiptHandle ?? '')).toBe(true);
    expect(queue.size()).toBe(0);
  });

  it('never puts both halves of a pair in one batch', () => {
    const queue = createSqsQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 5 });
    queue.send(message('a'), 'b');
    queue.send(message('b'), 'a');
    expect(queue.receive(10).map((m) => m.messageId)).toEqual(['a']);
    expect(queue.receiveExactly(['b']).map((m) => m.messageId)).toEqual(['b']);
  });

  it('keeps a message away as long as ChangeMessageVisibility says, with its latest receipt only', () => {
    const { time, queue, stale, latest } = receivedTwice();

    expect(queue.changeVisibility(stale?.receiptHandle ?? '', 1_000)).toBe(false);
    expect(queue.changeVisibility(latest?.receiptHandle ?? '', 1_000)).toBe(true);
    time.advance(999);
    expect(queue.receive(1)).toEqual([]);
    time.advance(1);
    expect(queue.receive(1).map((m) => m.receiveCount)).toEqual([3]);
    expect(queue.stats).toMatchObject({ visibilityChanges: 1, visibilityChangesRefused: 1 });
  });

  it('keeps what happened to a dead letter: its receives, its stale deletes, its hand-backs', () => {
    const time = clock();
    const queue = createSqsQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 2, now: time.now });
    queue.send(message('a'));
    const [first] = queue.receive(1);
    time.advance(10);
    const [second] = queue.receive(1);
    queue.delete(first?.receiptHandle ?? '');
    queue.changeVisibility(second?.receiptHandle ?? '', 50);
    time.advance(50);

    expect(queue.receive(1)).toEqual([]);
    expect(queue.deadLetters).toEqual([
      expect.objectContaining({
        messageId: 'a',
        receivedAt: [1_000, 1_010],
        staleDeletes: 1,
        handedBackLater: 1,
      }),
    ]);
  });
});

describe('the SQS endpoint the finish function hands messages back through', () => {
  it('carries out the function’s ChangeMessageVisibilityBatch, compressed and capped', async () => {
    const time = clock();
    const queue = createSqsQueue({
      visibilityTimeoutMs: 60_000,
      maxReceiveCount: 5,
      now: time.now,
    });
    const endpoint = await startSqsEndpoint({ queue, msPerSecond: 10, ceilingMs: 5_000 });
    const sqs = new SQSClient(localAws('us-east-1').clientConfig);
    try {
      for (const id of ['a', 'b', 'c']) queue.send(message(id));
      const received = queue.receive(3).map(({ messageId, receiptHandle }, i) => ({
        messageId,
        receiptHandle,
        // a: the first hand-back (300 s); b: the fourth (8,100 s), past the ceiling.
        attributes: { ApproximateReceiveCount: i === 0 ? '1' : '4' },
      }));
      // The SDK sends to the queue URL's origin, as the function's client does.
      await handBackLaterThrough(async () => sqs, endpoint.queueUrl, received)(['a', 'b']);

      time.advance(2_999);
      expect(queue.receive(10)).toEqual([]);
      time.advance(1);
      expect(queue.receive(10).map((m) => m.messageId)).toEqual(['a']);
      time.advance(2_000);
      expect(queue.receive(10).map((m) => m.messageId)).toEqual(['b']);
      expect(queue.stats.visibilityChanges).toBe(2);
    } finally {
      sqs.destroy();
      await endpoint.close();
    }
  });

  it('answers a stale receipt as SQS does, so the function learns the hand-back failed', async () => {
    const queue = createSqsQueue({ visibilityTimeoutMs: 0, maxReceiveCount: 5 });
    const endpoint = await startSqsEndpoint({ queue, msPerSecond: 10, ceilingMs: 5_000 });
    const sqs = new SQSClient(localAws('us-east-1').clientConfig);
    try {
      queue.send(message('a'));
      const [stale] = queue.receive(1);
      queue.receive(1);
      const records = [
        {
          messageId: 'a',
          receiptHandle: stale?.receiptHandle ?? '',
          attributes: { ApproximateReceiveCount: '1' },
        },
      ];
      await expect(
        handBackLaterThrough(async () => sqs, endpoint.queueUrl, records)(['a']),
      ).rejects.toThrow(/ReceiptHandleIsInvalid/);
    } finally {
      sqs.destroy();
      await endpoint.close();
    }
  });
});

describe('the event source mapping', () => {
  /**
   * A mapping onto one instance that answers by its call number (1 first) and records the
   * message ids of each batch it is given in `seen`.
   */
  const oneInstance = (
    queue: ReturnType<typeof createSqsQueue>,
    seen: string[][],
    answer: (call: number) => Promise<SQSBatchResponse>,
    onDeleted: (message: ReceivedMessage) => void = () => {},
  ) => {
    let calls = 0;
    return createEventSourceMapping({
      queue,
      instances: [
        {
          name: 'one',
          handler: async (event: SQSEvent) => {
            seen.push(event.Records.map((record) => record.messageId));
            calls += 1;
            return answer(calls);
          },
        },
      ],
      batchSize: 10,
      lambdaTimeoutMs: 1_000,
      onDeleted,
    });
  };

  it('deletes what the answer does not name and brings back what it names', async () => {
    const queue = createSqsQueue({ visibilityTimeoutMs: 50, maxReceiveCount: 5 });
    const deleted: ReceivedMessage[] = [];
    const seen: string[][] = [];
    const mapping = oneInstance(
      queue,
      seen,
      async (call) => ({ batchItemFailures: call === 1 ? [{ itemIdentifier: 'b' }] : [] }),
      (m) => deleted.push(m),
    );
    queue.send(message('a'));
    queue.send(message('b'));

    mapping.start();
    await mapping.drained();
    await mapping.stop();

    expect(seen).toEqual([['a', 'b'], ['b']]);
    expect(deleted.map((m) => [m.messageId, m.receiveCount])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('brings back the whole batch when the invocation throws or names a stranger', async () => {
    const queue = createSqsQueue({ visibilityTimeoutMs: 20, maxReceiveCount: 5 });
    const seen: string[][] = [];
    const mapping = oneInstance(queue, seen, async (call) => {
      if (call === 1) throw new Error('boom');
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: 'stranger' }] };
      return { batchItemFailures: [] };
    });
    queue.send(message('a'));

    mapping.start();
    await mapping.drained();
    await mapping.stop();

    expect(seen).toEqual([['a'], ['a'], ['a']]);
    expect(mapping.stats).toMatchObject({ failedInvocations: 1, invalidResponses: 1 });
  });

  it('gives the halves of a pair to two instances at the same moment', async () => {
    const queue = createSqsQueue({ visibilityTimeoutMs: 1_000, maxReceiveCount: 5 });
    const running = new Map<string, number>();
    let overlapped = false;
    const slow = (name: string): FunctionInstance => ({
      name,
      handler: async () => {
        running.set(name, Date.now());
        if (running.size === 2) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
        running.delete(name);
        return { batchItemFailures: [] };
      },
    });
    const mapping = createEventSourceMapping({
      queue,
      instances: [slow('one'), slow('two')],
      batchSize: 10,
      lambdaTimeoutMs: 1_000,
      onDeleted: () => {},
    });
    queue.send(message('a'), 'b');
    queue.send(message('b'), 'a');

    mapping.start();
    await mapping.drained();
    await mapping.stop();

    expect(overlapped).toBe(true);
    expect(mapping.stats.concurrentDeliveries).toBe(1);
  });
});
