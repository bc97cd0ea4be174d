import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SigningEventInput {
  packageId?: unknown;
  signerEmail?: unknown;
  eventId?: unknown;
  occurredAt?: unknown;
}

/** The JSON an upstream system puts on the queue. */
export const signingEventBody = (input: SigningEventInput): string =>
  JSON.stringify({
    eventId: randomUUID(),
    occurredAt: '2026-11-27T10:00:00Z',
    ...input,
  });

/** The same event wrapped the way an EventBridge rule delivers it to SQS. */
export const eventBridgeEnvelope = (detail: SigningEventInput): string =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'SignerSigned',
    source: 'signing.upstream',
    account: '123456789012',
    time: '2026-11-27T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });

export const sqsRecord = (body: string, overrides: Partial<SQSRecord> = {}): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: `receipt-${randomUUID()}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1795800000000',
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: '1795800000000',
  },
  messageAttributes: {},
  md5OfBody: 'not-checked',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:signinghub-finish-test-SigningEventsQueue',
  awsRegion: 'eu-west-1',
  ...overrides,
});

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A Lambda context whose clock runs out `timeoutMs` after it is made. */
export const lambdaContext = (timeoutMs = 60_000, overrides: Partial<Context> = {}): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'signinghub-finish-test-finish',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:eu-west-1:123456789012:function:signinghub-finish-test-finish',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/signinghub-finish-test-finish',
    logStreamName: '2026/11/27/[$LATEST]test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
};
