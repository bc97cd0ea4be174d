import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamConsumer = (
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPump {
  /** Reads what the stream holds now and hands it to the consumer, as Lambda would. */
  drain(): Promise<number>;
  /** Keeps draining every `intervalMs` until stopped. */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/** Like the deployed mapping's maximumRetryAttempts: then the batch is given up. */
const MAX_RETRIES = 20;

/** The Lambda event shape of a GetRecords record (dates become epoch seconds). */
const toLambdaRecord = (record: _Record, streamArn: string): DynamoDBRecord => {
  const { dynamodb, ...rest } = record;
  const { ApproximateCreationDateTime: created, ...change } = dynamodb ?? {};
  return {
    ...rest,
    eventSourceARN: streamArn,
    dynamodb: {
      ...change,
      ...(created ? { ApproximateCreationDateTime: created.getTime() / 1000 } : {}),
    },
  } as DynamoDBRecord;
};

/**
 * Feeds a table's DynamoDB Local stream to a consumer the way Lambda's event source mapping does:
 * in order per shard, retrying from the first failed record of a batch.
 */
export const createStreamPump = async (
  dynamoDb: DynamoDBClient,
  endpoint: string,
  tableName: string,
  consume: StreamConsumer,
): Promise<StreamPump> => {
  const { Table: table } = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint });
  const iterators = new Map<string, string | undefined>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const refreshShards = async () => {
    const { StreamDescription: description } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    for (const shard of description?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId || iterators.has(shardId)) continue;
      const { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      iterators.set(shardId, iterator);
    }
  };

  const drainOnce = async (): Promise<number> => {
    await refreshShards();
    let delivered = 0;
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      let records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
      for (let retries = 0; records.length > 0 && retries <= MAX_RETRIES; retries += 1) {
        const answer = await consume({ Records: records });
        const failed = answer?.batchItemFailures[0]?.itemIdentifier;
        if (!failed) break;
        // Lambda retries from the failed record; here too, after a short pause.
        records = records.slice(
          Math.max(
            0,
            records.findIndex((r) => r.dynamodb?.SequenceNumber === failed),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      delivered += page.Records?.length ?? 0;
      iterators.set(shardId, page.NextShardIterator);
    }
    return delivered;
  };

  const drain = () => {
    running = (running ?? Promise.resolve(0)).then(drainOnce, drainOnce);
    return running;
  };

  return {
    drain,
    start: (intervalMs = 250) => {
      const tick = () => {
        drain()
          .catch(() => undefined)
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    stop: async () => {
      const current = timer;
      timer = undefined;
      if (current) clearTimeout(current);
      await running?.catch(() => undefined);
      streams.destroy();
    },
  };
};
