import {
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
