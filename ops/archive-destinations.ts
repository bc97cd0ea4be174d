import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ArchiveRequest, archiveRequestBody } from '../lib/archive/archive-request.ts';
import { awsCall } from './aws-failure.ts';
import type { ArchiveRequests, SendOutcome } from './target.ts';

/** A queue URL's last part: the queue's name. */
export const queueNameOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** EventBridge's refusals of an entry that a later PutEvents may not meet again. */
const PASSING = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

/**
 * A stage's ArchiveQueue: each request is the message body the archive function reads
 * (archiveRequestBody), sent with SendMessageBatch (the `sqs:SendMessage` permission).
 */
export const queueDestination = (
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
): ArchiveRequests => ({
  destination: `ArchiveQueue ${queueNameOf(queueUrl)}`,
  send: async (requests) => {
    const { Successful: successful = [], Failed: failed = [] } = await awsCall(
      'sqs:SendMessage',
      () =>
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: requests.map((request, index) => ({
              Id: `request-${index}`,
              MessageBody: archiveRequestBody(request),
            })),
          }),
        ),
    );
    return requests.map((_, index): SendOutcome => {
      const id = `request-${index}`;
      const messageId = successful.find((entry) => entry.Id === id)?.MessageId;
      if (messageId) return { ok: true, id: messageId };
      const refusal = failed.find((entry) => entry.Id === id);
      return refusal
        ? {
            ok: false,
            reason: `${refusal.Code ?? 'refused'}: ${refusal.Message ?? 'SQS gave no reason'}`,
            retryable: refusal.SenderFault !== true,
          }
        : { ok: false, reason: 'SQS answered nothing for it', retryable: true };
    });
  },
});

/** The event an archive request is on the local stack's bus: the message body's own parts. */
const eventOf = (request: ArchiveRequest, busName: string) => {
  const body = JSON.parse(archiveRequestBody(request)) as {
    readonly source: string;
    readonly 'detail-type': string;
    readonly detail: unknown;
  };
  return {
    Source: body.source,
    DetailType: body['detail-type'],
    Detail: JSON.stringify(body.detail),
    EventBusName: busName,
  };
};

/**
 * The local stack's bus on npm start's EventBridge emulator, which hands the operator's archive
 * requests to its archive function as the stack's ArchiveQueue does.
 */
export const busDestination = (
  eventBridge: () => Promise<Pick<EventBridgeClient, 'send'>>,
  busName: string,
): ArchiveRequests => ({
  destination: `the local stack's bus ${busName}`,
  send: async (requests) => {
    const client = await eventBridge();
    const { Entries: entries = [] } = await awsCall('events:PutEvents', () =>
      client.send(
        new PutEventsCommand({ Entries: requests.map((request) => eventOf(request, busName)) }),
      ),
    );
    return requests.map((_, index): SendOutcome => {
      const entry = entries[index];
      if (entry?.EventId) return { ok: true, id: entry.EventId };
      return {
        ok: false,
        reason: `${entry?.ErrorCode ?? 'no answer'}: ${entry?.ErrorMessage ?? 'EventBridge gave no reason'}`,
        retryable: entry?.ErrorCode === undefined || PASSING.has(entry.ErrorCode),
      };
    });
  },
});
