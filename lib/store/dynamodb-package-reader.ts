import {
  type DynamoDBClient,
  paginateQuery,
  paginateScan,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.ts';
import { type Item, s, str } from './attributes.ts';
import { finishItemOf, finishKeyIn, packageItemOf } from './item-parsing.ts';
import { type FinishItem, OPEN_PACKAGES_INDEX, type PackageItem } from './items.ts';
import { packageIdOf, packageKey } from './keys.ts';
import type { PackageReader, PackageRecords } from './package-reader.ts';

export interface PackageReaderOptions {
  /** Items per request (DynamoDB's own 1 MB page when unset); the tests make pages small. */
  readonly pageSize?: number | undefined;
}

/** Every item of every page, or a StoreError naming the operation, as DynamoDbTable's are. */
const itemsOf = async (
  operation: 'Query' | 'Scan',
  pages: AsyncIterable<QueryCommandOutput | ScanCommandOutput>,
): Promise<Item[]> => {
  const items: Item[] = [];
  try {
    for await (const page of pages) items.push(...(page.Items ?? []));
  } catch (error) {
    throw new StoreError(operation, { cause: error });
  }
  return items;
};

/** A package's items, whichever order they came in: the package item and its finishes. */
const recordsOf = (packageId: number, items: readonly Item[]): PackageRecords => {
  let found: PackageItem | undefined;
  const finishes: FinishItem[] = [];
  for (const item of items) {
    const sortKey = str(item, 'sk') ?? '';
    if (sortKey === packageKey(packageId).sk) found = packageItemOf(packageId, item);
    const key = finishKeyIn(packageId, sortKey);
    if (key) finishes.push(finishItemOf(key, item));
  }
  finishes.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { packageId, package: found, finishes };
};

/** The table's package and finish items, read with the SDK's paginators. */
export class DynamoDbPackageReader implements PackageReader {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #pageSize: number | undefined;

  constructor(client: DynamoDBClient, tableName: string, options: PackageReaderOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#pageSize = options.pageSize;
  }

  async readPackage(packageId: number): Promise<PackageRecords> {
    const items = await itemsOf(
      'Query',
      paginateQuery(this.#paginator(), {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(packageKey(packageId).pk) },
        ConsistentRead: true,
      }),
    );
    return recordsOf(packageId, items);
  }

  async openPackageIds(): Promise<number[]> {
    const items = await itemsOf(
      'Query',
      paginateQuery(this.#paginator(), {
        TableName: this.#tableName,
        IndexName: OPEN_PACKAGES_INDEX,
        KeyConditionExpression: 'openStatus = :inProgress',
        ExpressionAttributeValues: { ':inProgress': s('IN_PROGRESS') },
        ScanIndexForward: false,
      }),
    );
    return [...new Set(items.flatMap((item) => packageIdOf(str(item, 'pk')) ?? []))];
  }

  async allPackages(): Promise<PackageRecords[]> {
    const items = await itemsOf(
      'Scan',
      paginateScan(this.#paginator(), { TableName: this.#tableName, ConsistentRead: true }),
    );
    const byPackage = new Map<number, Item[]>();
    for (const item of items) {
      const packageId = packageIdOf(str(item, 'pk'));
      if (packageId === undefined) continue;
      byPackage.set(packageId, [...(byPackage.get(packageId) ?? []), item]);
    }
    return [...byPackage].map(([packageId, partition]) => recordsOf(packageId, partition));
  }

  #paginator() {
    return {
      client: this.#client,
      ...(this.#pageSize === undefined ? {} : { pageSize: this.#pageSize }),
    };
  }
}
