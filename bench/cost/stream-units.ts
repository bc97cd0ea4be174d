import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { TABLE_DEFINITION } from '../../harness/table.ts';
import { packageIdOf } from '../../lib/store/keys.ts';
import { type ItemImage, itemSize } from './item-size.ts';
import { type Change, changeUnits, type IndexShape } from './write-units.ts';

/** A change on the table's stream, with the key that says whose it was. */
export interface KeyedChange extends Change {
  readonly Keys?: ItemImage | undefined;
}

/** Write request units one owner's changes cost, as the stream saw them. */
export interface OwnerUnits {
  /** Changes on the stream: writes that changed an item. */
  changes: number;
  table: number;
  index: number;
  /** The largest item the owner's writes left or found. */
  largestItem: number;
}

const TABLE_KEYS = TABLE_DEFINITION.KeySchema.flatMap(({ AttributeName }) =>
  AttributeName ? [AttributeName] : [],
);
const INDEXES: readonly IndexShape[] = (TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).map(
  (index) => ({
    name: index.IndexName ?? '',
    keys: (index.KeySchema ?? []).flatMap(({ AttributeName }) =>
      AttributeName ? [AttributeName] : [],
    ),
    projection: index.Projection?.ProjectionType ?? 'KEYS_ONLY',
    included: index.Projection?.NonKeyAttributes ?? [],
  }),
);

/** Sums the changes' write units by owner: `ownerOf` names it from the package id, if any. */
export const unitsByOwner = (
  changes: readonly KeyedChange[],
  ownerOf: (packageId: number, change: KeyedChange) => string | undefined,
  tableKeys: readonly string[] = TABLE_KEYS,
  indexes: readonly IndexShape[] = INDEXES,
): Map<string, OwnerUnits> => {
  const owners = new Map<string, OwnerUnits>();
  for (const change of changes) {
    const packageId = packageIdOf(change.Keys?.pk?.S);
    const owner = packageId === undefined ? undefined : ownerOf(packageId, change);
    if (owner === undefined) continue;
    const units = changeUnits(change, tableKeys, indexes);
    const tally = owners.get(owner) ?? { changes: 0, table: 0, index: 0, largestItem: 0 };
    tally.changes += 1;
    tally.table += units.table;
    tally.index += units.index;
    tally.largestItem = Math.max(
      tally.largestItem,
      change.OldImage ? itemSize(change.OldImage) : 0,
      change.NewImage ? itemSize(change.NewImage) : 0,
    );
    owners.set(owner, tally);
  }
  return owners;
};

/** Every record the table's stream holds (DynamoDB Local keeps them), oldest first per shard. */
export const readStream = async (
  admin: DynamoDBClient,
  endpoint: string,
  tableName: string,
): Promise<KeyedChange[]> => {
  const { Table: table } = await admin.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint });
  const changes: KeyedChange[] = [];
  try {
    const { StreamDescription: description } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    for (const shard of description?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (iterator) {
        const page = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        );
        const records = page.Records ?? [];
        for (const record of records) changes.push((record.dynamodb ?? {}) as KeyedChange);
        // An open shard always has a next iterator: an empty page is its end for now.
        iterator = records.length > 0 ? page.NextShardIterator : undefined;
      }
    }
  } finally {
    streams.destroy();
  }
  return changes;
};

/** The largest item in a table (the peer's idempotency records), read after the run. */
export const largestItem = async (admin: DynamoDBClient, tableName: string): Promise<number> => {
  let largest = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await admin.send(
      new ScanCommand({
        TableName: tableName,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) largest = Math.max(largest, itemSize(item as ItemImage));
    start = page.LastEvaluatedKey;
  } while (start);
  return largest;
};
