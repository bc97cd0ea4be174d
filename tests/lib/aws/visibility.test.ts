import {
  type ChangeMessageVisibilityBatchCommandInput,
  type ChangeMessageVisibilityBatchCommandOutput,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startMotoServer } from '../../../harness/moto-server.ts';
import { handBackLaterThrough, laterVisibilitySeconds } from '../../../lib/aws/visibility.ts';
import { withDeployTools } from '../../support/deploy-tools.ts';
import { motoClientConfig } from '../../support/moto-deploy.ts';

const moto = withDeployTools(async (defer) => {
  const server = await startMotoServer();
  defer(() => server.stop());
  const sqs = new SQSClient(motoClientConfig(server, 'us-east-1'));
  defer(async () => sqs.destroy());
  return { sqs };
}, 60_000);

const receive = async (sqs: SQSClient, queueUrl: string) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    )
  ).Messages ?? [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('laterVisibilitySeconds', () => {
  it('keeps an open circuit’s message away longer each time it comes back, up to SQS’s 12 hours', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(laterVisibilitySeconds)).toEqual([
      300, 900, 2_700, 8_100, 24_300, 43_200, 43_200,
    ]);
    // Five receives span some ten hours before the dead-letter queue takes the message.
    const total = [1, 2, 3, 4, 5].reduce((sum, count) => sum + laterVisibilitySeconds(count), 0);
    expect(total / 3600).toBeGreaterThan(10);
    expect(laterVisibilitySeconds(0)).toBe(300);
    expect(laterVisibilitySeconds(Number.NaN)).toBe(300);
  });
});

describe('handBackLaterThrough (SQS in moto)', () => {
  it('keeps the named messages away past the queue’s own visibility timeout, and only those', async () => {
    const { sqs } = moto();
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'later', Attributes: { VisibilityTimeout: '1' } }),
    );
    for (const body of ['down-1', 'down-2', 'up-1']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const received = await receive(sqs, queueUrl);
    expect(received).toHaveLength(3);
    const records = received.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      attributes: { ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount },
      body: message.Body,
    }));
    const down = records
      .filter(({ body }) => body?.startsWith('down'))
      .map(({ messageId }) => messageId);
    await handBackLaterThrough(async () => sqs, queueUrl, records)(down);
    await sleep(2_500);
    // The queue's one second has passed: only the message not handed back is there again.
    expect((await receive(sqs, queueUrl)).map((message) => message.Body)).toEqual(['up-1']);
  });

  it('says so when SQS keeps a message at the queue’s timeout (a receipt handle it does not know)', async () => {
    const { sqs } = moto();
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'refused' }),
    );
    const stale = [{ messageId: 'm-1', receiptHandle: 'not-a-receipt-handle', attributes: {} }];
    await expect(handBackLaterThrough(async () => sqs, queueUrl, stale)(['m-1'])).rejects.toThrow(
      /kept 1 message\(s\) at the queue's visibility timeout/,
    );
  });
});

describe('handBackLaterThrough (what it asks of SQS)', () => {
  /** An SQS that keeps the batches it was sent and answers each with `answer`. */
  const fakeSqs = (
    answer: () => Partial<ChangeMessageVisibilityBatchCommandOutput> = () => ({}),
  ) => {
    const batches: ChangeMessageVisibilityBatchCommandInput[] = [];
    const send = async (command: { readonly input: ChangeMessageVisibilityBatchCommandInput }) => {
      batches.push(command.input);
      return answer();
    };
    const client = { send } as unknown as Pick<SQSClient, 'send'>;
    return { batches, sqs: async () => client };
  };
  const record = (messageId: string, receiveCount?: string) => ({
    messageId,
    receiptHandle: `handle of ${messageId}`,
    attributes: { ApproximateReceiveCount: receiveCount },
  });

  it('asks for ten at a time, for the named messages only, each kept away by how often it came', async () => {
    const { batches, sqs } = fakeSqs();
    const received = Array.from({ length: 24 }, (_, i) => record(`m${i + 1}`, String((i % 3) + 1)));
    const named = received.slice(1).map(({ messageId }) => messageId);
    await handBackLaterThrough(sqs, 'https://queue', received)(named);
    expect(batches.map(({ Entries }) => Entries?.length)).toEqual([10, 10, 3]);
    expect(batches.every(({ QueueUrl }) => QueueUrl === 'https://queue')).toBe(true);
    const entries = batches.flatMap(({ Entries }) => Entries ?? []);
    expect(entries.map(({ Id }) => Id)).toEqual(named);
    expect(entries.slice(0, 3)).toEqual([
      { Id: 'm2', ReceiptHandle: 'handle of m2', VisibilityTimeout: 900 },
      { Id: 'm3', ReceiptHandle: 'handle of m3', VisibilityTimeout: 2_700 },
      { Id: 'm4', ReceiptHandle: 'handle of m4', VisibilityTimeout: 300 },
    ]);
  });

  it('takes a message without a receive count as received once', async () => {
    const { batches, sqs } = fakeSqs();
    await handBackLaterThrough(sqs, 'https://queue', [record('m1')])(['m1']);
    expect(batches[0]?.Entries).toEqual([
      { Id: 'm1', ReceiptHandle: 'handle of m1', VisibilityTimeout: 300 },
    ]);
  });

  it('asks nothing when no message is named', async () => {
    const { batches, sqs } = fakeSqs();
    await handBackLaterThrough(sqs, 'https://queue', [record('m1')])([]);
    expect(batches).toEqual([]);
  });

  it('gives each entry an id SQS takes: its letters, digits, - and _ kept, others _, at most 80', async () => {
    const { batches, sqs } = fakeSqs();
    const odd = 'Ab-9_x.y/z:é';
    const long = 'a'.repeat(100);
    await handBackLaterThrough(sqs, 'https://queue', [record(odd), record(long)])([odd, long]);
    expect(batches[0]?.Entries?.map(({ Id }) => Id)).toEqual(['Ab-9_x_y_z__', 'a'.repeat(80)]);
  });

  it('names SQS’s reason when it keeps a message, or says it gave none', async () => {
    const refused = (Code?: string) =>
      fakeSqs(() => ({
        Failed: [{ Id: 'm1', SenderFault: true, Code }],
      }));
    const withCode = refused('ReceiptHandleIsInvalid');
    await expect(
      handBackLaterThrough(withCode.sqs, 'https://queue', [record('m1')])(['m1']),
    ).rejects.toThrow(
      "SQS kept 1 message(s) at the queue's visibility timeout: ReceiptHandleIsInvalid",
    );
    const without = refused();
    await expect(
      handBackLaterThrough(without.sqs, 'https://queue', [record('m1')])(['m1']),
    ).rejects.toThrow(/visibility timeout: unknown$/);
  });
});
