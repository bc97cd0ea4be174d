import type {
  APIGatewayProxyEventV2,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  ScheduledEvent,
  SQSEvent,
} from 'aws-lambda';
import {
  callbackEvent,
  scheduledEvent,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../tests/support/factories.ts';

/** Signers the events are spread over: each is one token scope. */
export const SIGNER_COUNT = 20;
export const signerEmail = (packageId: number): string =>
  `signer-${(packageId % SIGNER_COUNT) + 1}@example.com`;

/** `count` things made by `make(index)`, in batches of `batchSize`. */
const inBatches = <T>(count: number, batchSize: number, make: (index: number) => T): T[][] =>
  Array.from({ length: Math.ceil(count / batchSize) }, (_, batch) =>
    Array.from({ length: Math.min(batchSize, count - batch * batchSize) }, (_, offset) =>
      make(batch * batchSize + offset),
    ),
  );

/** SQS batches of distinct signing events: package ids from `firstPackageId` up, signers in turn. */
export const signingEventBatches = (
  firstPackageId: number,
  events: number,
  batchSize: number,
): SQSEvent[] =>
  inBatches(events, batchSize, (index) => {
    const packageId = firstPackageId + index;
    // The signer follows the package, so that a redelivery is the same event, whatever slice.
    return sqsRecord(signingEventBody({ packageId, signerEmail: signerEmail(packageId) }));
  }).map((records) => sqsEvent(...records));

/** What API Gateway (HTTP API, payload 2.0) hands the callback for SigningHub's GET. */
export const callbackRequest = (secret: string, packageId: number): APIGatewayProxyEventV2 =>
  callbackEvent({ secret, query: { package_id: String(packageId) } });

const STREAM_ARN =
  'arn:aws:dynamodb:eu-west-1:123456789012:table/signinghub-finish-bench/stream/2026-12-01T00:00:00.000';

/** The stream record of a package a callback's confirmation made COMPLETED (what publish gets). */
const completionRecord = (packageId: number, sequence: number): DynamoDBRecord => {
  const at = new Date(Date.UTC(2026, 11, 1, 10, 0, sequence % 60)).toISOString();
  const keys = { pk: { S: `PACKAGE#${packageId}` }, sk: { S: 'PACKAGE' } };
  const common = {
    ...keys,
    packageId: { N: String(packageId) },
    createdAt: { S: at },
    callbacks: { N: '1' },
    lastCallbackAt: { S: at },
  };
  return {
    eventID: `bench-${packageId}`,
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: Date.parse(at) / 1000,
      Keys: keys,
      OldImage: {
        ...common,
        status: { S: 'IN_PROGRESS' },
        openStatus: { S: 'IN_PROGRESS' },
        updatedAt: { S: at },
      },
      NewImage: {
        ...common,
        status: { S: 'COMPLETED' },
        workflowStatus: { S: 'COMPLETED' },
        updatedAt: { S: at },
        completedAt: { S: at },
      },
      SequenceNumber: String(100_000_000 + sequence),
      SizeBytes: 400,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
};

/** Batches of completion records, as the stream's filter lets them through to publish. */
export const completionBatches = (
  firstPackageId: number,
  records: number,
  batchSize: number,
): DynamoDBStreamEvent[] =>
  inBatches(records, batchSize, (index) =>
    completionRecord(firstPackageId + index, firstPackageId + index),
  ).map((Records) => ({ Records }));

/** EventBridge Scheduler's tick, which starts a reconcile run. */
export const reconcileTick = (): ScheduledEvent => scheduledEvent();
