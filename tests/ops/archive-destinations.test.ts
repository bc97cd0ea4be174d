import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { parseArchiveMessage } from '../../lib/archive/archive-request.ts';
import { busDestination, queueDestination } from '../../ops/archive-destinations.ts';
import { describeAwsFailure } from '../../ops/aws-failure.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/signinghub-finish-prod-Archive';

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** A client whose every command is answered by `answer`, and the calls it was sent, in order. */
const fakeClient = (answer: (call: Call) => unknown) => {
  const calls: Call[] = [];
  const send = async (command: { readonly input: object }) => {
    const call = { command: command.constructor.name, input: { ...command.input } };
    calls.push(call);
    return answer(call);
  };
  return { send, calls };
};

const request = (packageId: number, tenant = 'default') => ({ packageId, tenant, force: false });

const denied = () =>
  Object.assign(new Error('Access to the resource is denied.'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });

describe('the ArchiveQueue destination', () => {
  const queue = (answer: (call: Call) => unknown) => {
    const client = fakeClient(answer);
    const sqs = { send: client.send } as unknown as Pick<SQSClient, 'send'>;
    return { destination: queueDestination(sqs, QUEUE_URL), calls: client.calls };
  };

  it('is named by its queue, and sends each request as the message body the archive reads', async () => {
    const { destination, calls } = queue(() => ({
      Successful: [
        { Id: 'request-1', MessageId: 'm-b' },
        { Id: 'request-0', MessageId: 'm-a' },
      ],
    }));
    expect(destination.destination).toBe('ArchiveQueue signinghub-finish-prod-Archive');
    const outcomes = await destination.send([request(1), request(2, 'acme')]);
    expect(outcomes).toEqual([
      { ok: true, id: 'm-a' },
      { ok: true, id: 'm-b' },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.command).toBe('SendMessageBatchCommand');
    expect(calls[0]?.input.QueueUrl).toBe(QUEUE_URL);
    const entries = calls[0]?.input.Entries as { Id: string; MessageBody: string }[];
    expect(entries.map((entry) => entry.Id)).toEqual(['request-0', 'request-1']);
    expect(entries.map((entry) => parseArchiveMessage(entry.MessageBody))).toEqual([
      { ok: true, request: request(1) },
      { ok: true, request: request(2, 'acme') },
    ]);
  });

  it("answers each refusal with SQS's reason, retryable unless the sender is at fault", async () => {
    const { destination } = queue(() => ({
      Successful: [{ Id: 'request-3', MessageId: 'm-d' }],
      Failed: [
        { Id: 'request-2', SenderFault: false },
        { Id: 'request-0', Code: 'InvalidParameterValue', Message: 'too big', SenderFault: true },
        { Id: 'request-1', Code: 'InternalError', Message: 'try again' },
      ],
    }));
    expect(await destination.send([1, 2, 3, 4, 5].map((id) => request(id)))).toEqual([
      { ok: false, reason: 'InvalidParameterValue: too big', retryable: false },
      { ok: false, reason: 'InternalError: try again', retryable: true },
      { ok: false, reason: 'refused: SQS gave no reason', retryable: true },
      { ok: true, id: 'm-d' },
      { ok: false, reason: 'SQS answered nothing for it', retryable: true },
    ]);
  });

  it('names sqs:SendMessage when AWS denies it', async () => {
    const { destination } = queue(() => {
      throw denied();
    });
    const error: unknown = await destination.send([request(1)]).catch((caught) => caught);
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(/^AWS denied sqs:SendMessage to/);
  });
});

describe("the local stack's bus", () => {
  const bus = (answer: (call: Call) => unknown) => {
    const client = fakeClient(answer);
    const eventBridge = { send: client.send } as unknown as Pick<EventBridgeClient, 'send'>;
    return {
      destination: busDestination(async () => eventBridge, 'signinghub-finish-local'),
      calls: client.calls,
    };
  };

  it('puts each request on the bus as the event the archive reads', async () => {
    const { destination, calls } = bus(() => ({
      Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }],
    }));
    expect(destination.destination).toBe("the local stack's bus signinghub-finish-local");
    expect(await destination.send([request(1), request(2, 'acme')])).toEqual([
      { ok: true, id: 'e-1' },
      { ok: true, id: 'e-2' },
    ]);
    const entries = calls[0]?.input.Entries as Record<string, string>[];
    expect(entries.map((entry) => entry.EventBusName)).toEqual([
      'signinghub-finish-local',
      'signinghub-finish-local',
    ]);
    const bodies = entries.map((entry) =>
      JSON.stringify({
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail ?? ''),
      }),
    );
    expect(bodies.map(parseArchiveMessage)).toEqual([
      { ok: true, request: request(1) },
      { ok: true, request: request(2, 'acme') },
    ]);
  });

  it("answers each refusal with EventBridge's reason, retryable only when it may pass", async () => {
    const { destination } = bus(() => ({
      Entries: [
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
        { ErrorCode: 'ValidationException', ErrorMessage: 'bad detail' },
        { ErrorCode: 'InternalFailure' },
        {},
      ],
    }));
    expect(await destination.send([1, 2, 3, 4, 5].map((id) => request(id)))).toEqual([
      { ok: false, reason: 'ThrottlingException: slow down', retryable: true },
      { ok: false, reason: 'ValidationException: bad detail', retryable: false },
      { ok: false, reason: 'InternalFailure: EventBridge gave no reason', retryable: true },
      { ok: false, reason: 'no answer: EventBridge gave no reason', retryable: true },
      { ok: false, reason: 'no answer: EventBridge gave no reason', retryable: true },
    ]);
  });

  it('names events:PutEvents when AWS denies it', async () => {
    const { destination } = bus(() => {
      throw denied();
    });
    const error: unknown = await destination.send([request(1)]).catch((caught) => caught);
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(/^AWS denied events:PutEvents to/);
  });
});
