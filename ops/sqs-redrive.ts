import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type MessageAttributeValue,
  type MessageSystemAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { awsCall, httpStatusOf } from './aws-failure.ts';
import type { DeadLetter, MoveTaskStart, RedrivePort } from './redrive-port.ts';

interface Carried {
  readonly messageAttributes: Record<string, MessageAttributeValue> | undefined;
  readonly traceHeader: string | undefined;
}

/** How long a received message stays hidden while it is moved; released at once on a failure. */
const VISIBILITY_SECONDS = 120;
/** Long polling asks every SQS host, so an empty answer means an empty queue. */
const WAIT_SECONDS = 1;

/** What an SQS (or something standing in for it) answers to an action it does not have. */
const UNSUPPORTED = new Set([
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'UnknownOperationException',
  'UnknownOperation',
  'InvalidAction',
  'NotImplemented',
]);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** Why StartMessageMoveTask is not offered, or undefined when its failure is a real one. */
const notOffered = (error: unknown): string | undefined => {
  if (!(error instanceof Error)) return undefined;
  if (UNSUPPORTED.has(error.name))
    return `this SQS does not offer StartMessageMoveTask (${error.name})`;
  if (DENIED.has(error.name)) {
    return 'your credentials may not call sqs:StartMessageMoveTask';
  }
  // An answer that is not SQS's at all (an emulator's "not implemented" page, say).
  const status = httpStatusOf(error);
  if (error.name === 'SyntaxError' || /Deserialization error/.test(error.message)) {
    return `this SQS does not offer StartMessageMoveTask (it answered HTTP ${status ?? '?'})`;
  }
  return undefined;
};

const queueArn = async (sqs: Pick<SQSClient, 'send'>, queueUrl: string): Promise<string> => {
  const { Attributes: attributes = {} } = await awsCall('sqs:GetQueueAttributes', () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })),
  );
  if (!attributes.QueueArn) throw new Error(`SQS gave no QueueArn for ${queueUrl}`);
  return attributes.QueueArn;
};

/** The dead-letter queue and the queue, through SQS. */
export const sqsRedrivePort = (
  sqs: Pick<SQSClient, 'send'>,
  queues: { readonly deadLetterQueueUrl: string; readonly queueUrl: string },
): RedrivePort<Carried> => {
  const { deadLetterQueueUrl, queueUrl } = queues;
  let sourceArn: Promise<string> | undefined;
  const source = () => {
    sourceArn ??= queueArn(sqs, deadLetterQueueUrl);
    return sourceArn;
  };
  return {
    count: async () => {
      const { Attributes: attributes = {} } = await awsCall('sqs:GetQueueAttributes', () =>
        sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: deadLetterQueueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
            ],
          }),
        ),
      );
      return {
        visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
    startMoveTask: async (): Promise<MoveTaskStart> => {
      const [from, to] = await Promise.all([source(), queueArn(sqs, queueUrl)]);
      try {
        await awsCall('sqs:StartMessageMoveTask', () =>
          sqs.send(new StartMessageMoveTaskCommand({ SourceArn: from, DestinationArn: to })),
        );
        return 'started';
      } catch (error) {
        const reason = notOffered(error);
        if (reason === undefined) throw error;
        return { notOffered: reason };
      }
    },
    moveTaskProgress: async () => {
      const from = await source();
      const { Results: results = [] } = await awsCall('sqs:ListMessageMoveTasks', () =>
        sqs.send(new ListMessageMoveTasksCommand({ SourceArn: from, MaxResults: 1 })),
      );
      const latest = results[0];
      return {
        status: latest?.Status ?? 'UNKNOWN',
        moved: latest?.ApproximateNumberOfMessagesMoved ?? 0,
        failureReason: latest?.FailureReason,
      };
    },
    receive: async (max) => {
      const { Messages: messages = [] } = await awsCall('sqs:ReceiveMessage', () =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: deadLetterQueueUrl,
            MaxNumberOfMessages: max,
            VisibilityTimeout: VISIBILITY_SECONDS,
            WaitTimeSeconds: WAIT_SECONDS,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['AWSTraceHeader'],
          }),
        ),
      );
      return messages.flatMap((message): DeadLetter<Carried>[] =>
        message.MessageId && message.ReceiptHandle && message.Body !== undefined
          ? [
              {
                messageId: message.MessageId,
                receiptHandle: message.ReceiptHandle,
                body: message.Body,
                attributes: {
                  messageAttributes: message.MessageAttributes,
                  traceHeader: message.Attributes?.AWSTraceHeader,
                },
              },
            ]
          : [],
      );
    },
    send: async (message) => {
      const { messageAttributes, traceHeader } = message.attributes;
      const trace: Record<string, MessageSystemAttributeValue> | undefined = traceHeader
        ? { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } }
        : undefined;
      const { MessageId: id } = await awsCall('sqs:SendMessage', () =>
        sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: message.body,
            ...(messageAttributes && Object.keys(messageAttributes).length > 0
              ? { MessageAttributes: messageAttributes }
              : {}),
            ...(trace ? { MessageSystemAttributes: trace } : {}),
          }),
        ),
      );
      if (!id) throw new Error('SQS answered SendMessage without a message id');
      return id;
    },
    delete: async (message) => {
      await awsCall('sqs:DeleteMessage', () =>
        sqs.send(
          new DeleteMessageCommand({
            QueueUrl: deadLetterQueueUrl,
            ReceiptHandle: message.receiptHandle,
          }),
        ),
      );
    },
    release: async (message) => {
      await awsCall('sqs:ChangeMessageVisibility', () =>
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: deadLetterQueueUrl,
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: 0,
          }),
        ),
      );
    },
  };
};
