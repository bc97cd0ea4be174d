import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { describeAwsFailure } from '../../ops/aws-failure.ts';
import { sqsRedrivePort } from '../../ops/sqs-redrive.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/1/q';
const DEAD_LETTERS = 'https://sqs.eu-west-1.amazonaws.com/1/dlq';

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

type Answer = (call: Call) => unknown;

/** The two queues' ARNs, as GetQueueAttributes gives them. */
const arns: Answer = ({ command, input }) =>
  command === 'GetQueueAttributesCommand' && input.QueueUrl === DEAD_LETTERS
    ? { Attributes: { QueueArn: 'arn:dlq' } }
    : command === 'GetQueueAttributesCommand'
      ? { Attributes: { QueueArn: 'arn:q' } }
      : {};

/** An SQS that answers each command with `answer`, and the calls it was sent, in order. */
const fakeSqs = (answer: Answer = arns) => {
  const calls: Call[] = [];
  const send = async (command: { readonly input: object }) => {
    const call = { command: command.constructor.name, input: { ...command.input } };
    calls.push(call);
    return answer(call);
  };
  const sqs = { send } as unknown as Pick<SQSClient, 'send'>;
  return {
    port: sqsRedrivePort(sqs, { deadLetterQueueUrl: DEAD_LETTERS, queueUrl: QUEUE }),
    calls,
  };
};

type Port = ReturnType<typeof fakeSqs>['port'];

const sdkError = (name: string, message = name, httpStatusCode?: number) =>
  Object.assign(new Error(message), {
    name,
    ...(httpStatusCode ? { $metadata: { httpStatusCode } } : {}),
  });

/** An SQS whose StartMessageMoveTask fails with `error`. */
const refusingMoveTask = (error: unknown) =>
  fakeSqs((call) => {
    if (call.command === 'StartMessageMoveTaskCommand') throw error;
    return arns(call);
  });

const MESSAGE = {
  messageId: 'm-1',
  receiptHandle: 'r-1',
  body: '{"packageId":1}',
  attributes: {
    messageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
    traceHeader: 'Root=1-abc',
  },
};

describe('the SQS redrive port', () => {
  it("counts the dead-letter queue's visible and in-flight messages", async () => {
    const { port, calls } = fakeSqs(() => ({
      Attributes: {
        ApproximateNumberOfMessages: '7',
        ApproximateNumberOfMessagesNotVisible: '2',
      },
    }));
    expect(await port.count()).toEqual({ visible: 7, inFlight: 2 });
    expect(calls).toEqual([
      {
        command: 'GetQueueAttributesCommand',
        input: {
          QueueUrl: DEAD_LETTERS,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        },
      },
    ]);
    expect(await fakeSqs(() => ({})).port.count()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('starts a move task from the dead-letter queue to the queue, and follows it by the first ARN', async () => {
    const { port, calls } = fakeSqs((call) =>
      call.command === 'ListMessageMoveTasksCommand'
        ? {
            Results: [
              { Status: 'FAILED', ApproximateNumberOfMessagesMoved: 3, FailureReason: 'denied' },
              { Status: 'COMPLETED' },
            ],
          }
        : arns(call),
    );
    expect(await port.startMoveTask()).toBe('started');
    expect(await port.moveTaskProgress()).toEqual({
      status: 'FAILED',
      moved: 3,
      failureReason: 'denied',
    });
    expect(calls.filter((call) => call.command !== 'GetQueueAttributesCommand')).toEqual([
      {
        command: 'StartMessageMoveTaskCommand',
        input: { SourceArn: 'arn:dlq', DestinationArn: 'arn:q' },
      },
      { command: 'ListMessageMoveTasksCommand', input: { SourceArn: 'arn:dlq', MaxResults: 1 } },
    ]);
    // The dead-letter queue's ARN is asked for once.
    expect(calls.filter((call) => call.input.QueueUrl === DEAD_LETTERS)).toHaveLength(1);
    expect(
      calls
        .filter((call) => call.command === 'GetQueueAttributesCommand')
        .map((call) => call.input),
    ).toEqual([
      { QueueUrl: DEAD_LETTERS, AttributeNames: ['QueueArn'] },
      { QueueUrl: QUEUE, AttributeNames: ['QueueArn'] },
    ]);
  });

  it('says a move task it cannot see is UNKNOWN, with nothing moved', async () => {
    const { port } = fakeSqs((call) =>
      call.command === 'ListMessageMoveTasksCommand' ? {} : arns(call),
    );
    expect(await port.moveTaskProgress()).toEqual({
      status: 'UNKNOWN',
      moved: 0,
      failureReason: undefined,
    });
  });

  /** SQS's own word for an action a region or endpoint does not have. */
  const SQS_UNSUPPORTED = ['UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation'];
  /** What emulators of SQS answer to an action they lack. */
  const EMULATOR_UNSUPPORTED = ['UnknownOperationException', 'UnknownOperation', 'InvalidAction'];

  it.each([...SQS_UNSUPPORTED, ...EMULATOR_UNSUPPORTED, 'NotImplemented'])(
    'falls back when SQS says %s',
    async (name) => {
      expect(await refusingMoveTask(sdkError(name)).port.startMoveTask()).toEqual({
        notOffered: `this SQS does not offer StartMessageMoveTask (${name})`,
      });
    },
  );

  it.each(['AccessDenied', 'AccessDeniedException'])(
    'falls back when the move task is denied (%s)',
    async (name) => {
      expect(await refusingMoveTask(sdkError(name)).port.startMoveTask()).toEqual({
        notOffered: 'your credentials may not call sqs:StartMessageMoveTask',
      });
    },
  );

  it('falls back when what answered is not SQS at all', async () => {
    const page = sdkError('SyntaxError', 'Unexpected token <', 501);
    expect(await refusingMoveTask(page).port.startMoveTask()).toEqual({
      notOffered: 'this SQS does not offer StartMessageMoveTask (it answered HTTP 501)',
    });
    const garbled = sdkError('Error', 'Deserialization error: to see the raw response…');
    expect(await refusingMoveTask(garbled).port.startMoveTask()).toEqual({
      notOffered: 'this SQS does not offer StartMessageMoveTask (it answered HTTP ?)',
    });
  });

  it('lets any other failure of the move task through, naming its action', async () => {
    const throttled = sdkError('ThrottlingException', 'slow down', 400);
    const error: unknown = await refusingMoveTask(throttled)
      .port.startMoveTask()
      .catch((caught: unknown) => caught);
    expect(error).toBe(throttled);
    const denied = sdkError('AuthorizationError', 'no', 403);
    const deniedError: unknown = await refusingMoveTask(denied)
      .port.startMoveTask()
      .catch((caught: unknown) => caught);
    expect(describeAwsFailure(deniedError, 'eu-west-1')).toMatch(
      /^AWS denied sqs:StartMessageMoveTask /,
    );
    await expect(refusingMoveTask('not an error').port.startMoveTask()).rejects.toBe(
      'not an error',
    );
  });

  it('says SQS gave no ARN for a queue', async () => {
    await expect(fakeSqs(() => ({ Attributes: {} })).port.startMoveTask()).rejects.toThrow(
      `SQS gave no QueueArn for ${DEAD_LETTERS}`,
    );
  });

  it('receives messages hidden for two minutes, with their attributes and trace header', async () => {
    const { port, calls } = fakeSqs(() => ({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'r-1',
          Body: '{"packageId":1}',
          MessageAttributes: MESSAGE.attributes.messageAttributes,
          Attributes: { AWSTraceHeader: 'Root=1-abc' },
        },
        { MessageId: 'm-2', ReceiptHandle: 'r-2', Body: '' },
        { ReceiptHandle: 'r-3', Body: 'no id' },
        { MessageId: 'm-4', Body: 'no receipt' },
        { MessageId: 'm-5', ReceiptHandle: 'r-5' },
      ],
    }));
    expect(await port.receive(4)).toEqual([
      MESSAGE,
      {
        messageId: 'm-2',
        receiptHandle: 'r-2',
        body: '',
        attributes: { messageAttributes: undefined, traceHeader: undefined },
      },
    ]);
    expect(calls).toEqual([
      {
        command: 'ReceiveMessageCommand',
        input: {
          QueueUrl: DEAD_LETTERS,
          MaxNumberOfMessages: 4,
          VisibilityTimeout: 120,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['AWSTraceHeader'],
        },
      },
    ]);
    expect(await fakeSqs(() => ({})).port.receive(1)).toEqual([]);
  });

  it('sends a message on with its body, attributes and trace header, answering its new id', async () => {
    const { port, calls } = fakeSqs(() => ({ MessageId: 'q-1' }));
    expect(await port.send(MESSAGE)).toBe('q-1');
    const bare = { ...MESSAGE, attributes: { messageAttributes: {}, traceHeader: undefined } };
    await port.send(bare);
    expect(calls.map((call) => call.input)).toEqual([
      {
        QueueUrl: QUEUE,
        MessageBody: '{"packageId":1}',
        MessageAttributes: MESSAGE.attributes.messageAttributes,
        MessageSystemAttributes: {
          AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' },
        },
      },
      { QueueUrl: QUEUE, MessageBody: '{"packageId":1}' },
    ]);
  });

  it('fails a send SQS answered without a message id', async () => {
    await expect(fakeSqs(() => ({})).port.send(MESSAGE)).rejects.toThrow(
      'SQS answered SendMessage without a message id',
    );
  });

  it('deletes from, and releases at once into, the dead-letter queue by receipt', async () => {
    const { port, calls } = fakeSqs(() => ({}));
    await port.delete(MESSAGE);
    await port.release(MESSAGE);
    expect(calls).toEqual([
      { command: 'DeleteMessageCommand', input: { QueueUrl: DEAD_LETTERS, ReceiptHandle: 'r-1' } },
      {
        command: 'ChangeMessageVisibilityCommand',
        input: { QueueUrl: DEAD_LETTERS, ReceiptHandle: 'r-1', VisibilityTimeout: 0 },
      },
    ]);
  });

  it.each([
    ['GetQueueAttributesCommand', 'sqs:GetQueueAttributes', (port: Port) => port.count()],
    ['GetQueueAttributesCommand', 'sqs:GetQueueAttributes', (port: Port) => port.startMoveTask()],
    [
      'ListMessageMoveTasksCommand',
      'sqs:ListMessageMoveTasks',
      (port: Port) => port.moveTaskProgress(),
    ],
    ['ReceiveMessageCommand', 'sqs:ReceiveMessage', (port: Port) => port.receive(10)],
    ['SendMessageCommand', 'sqs:SendMessage', (port: Port) => port.send(MESSAGE)],
    ['DeleteMessageCommand', 'sqs:DeleteMessage', (port: Port) => port.delete(MESSAGE)],
    [
      'ChangeMessageVisibilityCommand',
      'sqs:ChangeMessageVisibility',
      (port: Port) => port.release(MESSAGE),
    ],
  ])('names %s as %s when AWS denies it', async (command, action, use) => {
    const { port } = fakeSqs((call) => {
      if (call.command === command) throw sdkError('AccessDenied', 'denied', 403);
      return arns(call);
    });
    const error: unknown = await use(port).catch((caught: unknown) => caught);
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(new RegExp(`^AWS denied ${action} to`));
  });
});
