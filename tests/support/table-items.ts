import { type AttributeValue, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TestTable } from './dynamodb.ts';

export type PlainItem = Record<string, unknown>;

const plain = (value: AttributeValue): unknown => {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.M !== undefined) return plainItem(value.M);
  if (value.L !== undefined) return value.L.map(plain);
  return null;
};

const plainItem = (item: Record<string, AttributeValue>): PlainItem =>
  Object.fromEntries(Object.entries(item).map(([key, value]) => [key, plain(value)]));

/** Every item of a test table, as plain objects (tests only: the product never scans). */
export const scanAll = async (
  table: Pick<TestTable, 'client' | 'tableName'>,
): Promise<PlainItem[]> => {
  const items: PlainItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []).map(plainItem));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

export const itemAt = async (
  table: TestTable,
  pk: string,
  sk: string,
): Promise<PlainItem | undefined> => {
  const { Item: item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return item ? plainItem(item) : undefined;
};
