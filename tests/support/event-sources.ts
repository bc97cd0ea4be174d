import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';

/*
 * What Lambda's event source mappings do, played by the test from a deployed mapping's settings:
 * moto keeps the mappings but cannot run a function (it needs Docker).
 */

export interface ReceivedBatch {
  readonly event: SQSEvent;
  readonly messages: readonly Message[];
}

/** One poll of the queue, as the mapping polls it: at most its batch size, as an SQS event. */
export const receiveSqsBatch = async (
  sqs: SQSClient,
  queueUrl: string,
  mapping: EventSourceMappingConfiguration,
): Promise<ReceivedBatch> => {
  const { Messages: messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: mapping.BatchSize,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const region = mapping.EventSourceArn?.split(':')[3] ?? '';
  const records = messages.map(
    (message): SQSRecord => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: message.Attributes as unknown as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: mapping.EventSourceArn ?? '',
      awsRegion: region,
    }),
  );
  return { event: { Records: records }, messages };
};

/**
 * What the mapping does with the function's answer: with ReportBatchItemFailures, it deletes every
 * message but those named in `batchItemFailures`, which come back after the visibility timeout.
 * Answers the ids of the messages left on the queue.
 */
export const settleSqsBatch = async (
  sqs: SQSClient,
  queueUrl: string,
  mapping: EventSourceMappingConfiguration,
  batch: ReceivedBatch,
  answer: SQSBatchResponse,
): Promise<string[]> => {
  if (!mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures')) {
    throw new Error('a mapping without ReportBatchItemFailures retries the whole batch');
  }
  const failed = new Set(answer.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = batch.messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
  return [...failed];
};

/**
 * Whether a record matches a Lambda filter pattern. Only what the deployed filters use is
 * supported (nested objects whose leaves list the accepted values); anything else throws, so a
 * new kind of filter cannot pass unnoticed.
 */
export const matchesFilter = (pattern: unknown, value: unknown): boolean => {
  if (Array.isArray(pattern)) {
    if (!pattern.every((accepted) => ['string', 'number', 'boolean'].includes(typeof accepted))) {
      throw new Error(`unsupported filter values: ${JSON.stringify(pattern)}`);
    }
    return pattern.includes(value);
  }
  if (typeof pattern !== 'object' || pattern === null) {
    throw new Error(`unsupported filter: ${JSON.stringify(pattern)}`);
  }
  const record = typeof value === 'object' && value !== null ? value : {};
  return Object.entries(pattern).every(([key, inner]) =>
    matchesFilter(inner, (record as Record<string, unknown>)[key]),
  );
};

const toLambdaRecord = (record: _Record, streamArn: string, region: string): DynamoDBRecord => {
  const { dynamodb, ...rest } = record;
  const { ApproximateCreationDateTime: created, ...change } = dynamodb ?? {};
  return {
    ...rest,
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...change,
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  } as DynamoDBRecord;
};

/**
 * The records the stream holds for the mapping, from its starting position: every shard read
 * with GetRecords, filtered by the mapping's filter criteria, in batches of its batch size.
 */
export const readStreamBatches = async (
  streams: DynamoDBStreamsClient,
  mapping: EventSourceMappingConfiguration,
): Promise<DynamoDBStreamEvent[]> => {
  const streamArn = mapping.EventSourceArn ?? '';
  const region = streamArn.split(':')[3] ?? '';
  const patterns = (mapping.FilterCriteria?.Filters ?? []).map((filter): unknown =>
    JSON.parse(filter.Pattern ?? '{}'),
  );
  const { StreamDescription: description } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const records: DynamoDBRecord[] = [];
  for (const shard of description?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: mapping.StartingPosition as ShardIteratorType,
      }),
    );
    while (iterator) {
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: mapping.BatchSize }),
      );
      const got = page.Records ?? [];
      records.push(...got.map((record) => toLambdaRecord(record, streamArn, region)));
      iterator = got.length > 0 ? page.NextShardIterator : undefined;
    }
  }
  const kept = records.filter(
    (record) => patterns.length === 0 || patterns.some((pattern) => matchesFilter(pattern, record)),
  );
  const size = mapping.BatchSize ?? 100;
  const batches: DynamoDBStreamEvent[] = [];
  for (let start = 0; start < kept.length; start += size) {
    batches.push({ Records: kept.slice(start, start + size) });
  }
  return batches;
};
