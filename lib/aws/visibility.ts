import type { SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTION_SDK_CONFIG } from './sdk-config.ts';

/** The most SQS allows a message to stay away after it was received: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * How long a message of a tenant whose circuit is open stays away, by how often it has been
 * received: 5 min, 15 min, 45 min, 2 h 15 min, then 6 h 45 min. With the five receives the queue
 * allows before the dead-letter queue, an outage of about ten hours passes without one; past
 * that, `redrive` brings them back.
 */
export const laterVisibilitySeconds = (receiveCount: number): number => {
  const count = Number.isFinite(receiveCount) ? Math.max(1, receiveCount) : 1;
  return Math.min(MAX_VISIBILITY_SECONDS, 300 * 3 ** (count - 1));
};

/** What this needs of an SQS record (the Lambda event's). */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly attributes: { readonly ApproximateReceiveCount?: string | undefined };
}

/**
 * Hands the given messages of this delivery back for longer than the queue's visibility timeout
 * (ChangeMessageVisibility, ten at a time). Throws when SQS took none or only some: they then come
 * back after the queue's own timeout, which loses nothing.
 */
export const handBackLaterThrough =
  (
    sqs: () => Promise<Pick<SQSClient, 'send'>>,
    queueUrl: string,
    received: readonly ReceivedMessage[],
  ) =>
  async (messageIds: readonly string[]): Promise<void> => {
    const wanted = new Set(messageIds);
    const entries = received
      .filter(({ messageId }) => wanted.has(messageId))
      .map(({ messageId, receiptHandle, attributes }) => ({
        Id: messageId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: laterVisibilitySeconds(Number(attributes.ApproximateReceiveCount ?? 1)),
      }));
    const client = await sqs();
    const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
    for (let start = 0; start < entries.length; start += 10) {
      const answer = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.slice(start, start + 10),
        }),
      );
      const failed = answer.Failed ?? [];
      if (failed.length > 0) {
        throw new Error(
          `SQS kept ${failed.length} message(s) at the queue's visibility timeout: ${failed[0]?.Code ?? 'unknown'}`,
        );
      }
    }
  };

let sqs: Promise<SQSClient> | undefined;

/**
 * Loaded and built on first use: only when a tenant's circuit opens does `finish` talk to its
 * queue, so the SQS client costs no cold start.
 */
export const lazySqs = (): Promise<SQSClient> => {
  sqs ??= import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient(FUNCTION_SDK_CONFIG));
  return sqs;
};
