import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveQueueOptions, startArchiveQueue } from '../../dev/archive-queue.ts';
import { archiveRequestBody } from '../../lib/archive/archive-request.ts';

// npm start's ArchiveQueue: the archive function, run in its process, gets each message as the
// stack's queue and event source mapping would give it, and a message handed back five times is
// kept as a dead letter.

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:000000000000:signinghub-finish-local-archive';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archive-queue-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request = (packageId: number, tenant = 'default') =>
  archiveRequestBody({ packageId, tenant, force: false });

/** A queue whose handler is `handle`, with delays short enough for a test. */
const queueWith = (
  handle: ArchiveQueueOptions['handle'],
  file = join(dir, `dead-${Math.random()}.jsonl`),
) => {
  const lines: string[] = [];
  const queue = startArchiveQueue({
    handle,
    deadLetterFile: file,
    deadLetterShown: '.local/archive-dead-letters.jsonl',
    queueArn: QUEUE_ARN,
    region: 'eu-west-1',
    retryDelayMs: 5,
    onLine: (line) => lines.push(line),
  });
  return { queue, lines, file };
};

/** Each record the handler got, and an answer that hands back `handBack` of them. */
const recorder = (handBack: (record: SQSRecord) => boolean = () => false) => {
  const records: SQSRecord[] = [];
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    records.push(...event.Records);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      batchItemFailures: event.Records.filter(handBack).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
  return { records, handle };
};

describe("npm start's ArchiveQueue", () => {
  it('gives the archive function each message as an SQS record, once when it succeeds', async () => {
    const { records, handle } = recorder();
    const { queue, lines } = queueWith(handle);

    const body = request(1001);
    queue.send(body);
    await queue.drained();
    await queue.stop();

    expect(records).toEqual([
      expect.objectContaining({
        body,
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'eu-west-1',
        attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }),
      }),
    ]);
    expect(lines).toEqual([]);
  });

  it('runs one message at a time per package, other packages beside it', async () => {
    const running = new Map<string, number>();
    const overlaps: string[] = [];
    let most = 0;
    const { queue } = queueWith(async (event) => {
      const body = event.Records[0]?.body ?? '';
      const seen = (running.get(body) ?? 0) + 1;
      running.set(body, seen);
      if (seen > 1) overlaps.push(body);
      most = Math.max(
        most,
        [...running.values()].reduce((sum, count) => sum + count, 0),
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      running.set(body, (running.get(body) ?? 1) - 1);
      return { batchItemFailures: [] };
    });

    for (const packageId of [1, 1, 1, 2, 2, 2]) queue.send(request(packageId));
    await queue.drained();
    await queue.stop();

    expect(overlaps).toEqual([]);
    expect(most).toBe(2);
  });

  it('receives a message handed back again, then keeps it as a dead letter after its fifth receive', async () => {
    const { records, handle } = recorder((record) => record.body.includes('"packageId":2002'));
    const { queue, lines, file } = queueWith(handle);

    const body = request(2002, 'acme');
    queue.send(body);
    queue.send(request(2003));
    await queue.drained();
    await queue.stop();

    const receives = records
      .filter((record) => record.body.includes('2002'))
      .map((record) => record.attributes.ApproximateReceiveCount);
    expect(receives).toEqual(['1', '2', '3', '4', '5']);
    expect(records.filter((record) => record.body.includes('2003'))).toHaveLength(1);
    const letters = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(letters).toEqual([expect.objectContaining({ body, receives: 5 })]);
    expect(lines.at(-1)).toBe(
      '  [archive] package 2002 of tenant acme: a dead letter after 5 receives (the archive ' +
        'function handed it back); kept in .local/archive-dead-letters.jsonl',
    );
    expect(lines[0]).toBe(
      '  [archive] package 2002 of tenant acme: handed back (receive 1 of 5), again in 0 s: ' +
        'the archive function handed it back',
    );
  });

  it('takes a throw of the function as a hand-back, with its message', async () => {
    let calls = 0;
    const { queue, lines } = queueWith(async () => {
      calls += 1;
      if (calls === 1) throw new Error('DynamoDB Local is gone');
      return { batchItemFailures: [] };
    });

    queue.send(request(3003));
    await queue.drained();
    await queue.stop();

    expect(calls).toBe(2);
    expect(lines).toEqual([
      '  [archive] package 3003: handed back (receive 1 of 5), again in 0 s: the archive ' +
        'function failed: DynamoDB Local is gone',
    ]);
  });
});
