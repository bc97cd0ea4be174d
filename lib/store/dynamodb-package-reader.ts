import {
  type DynamoDBClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import {
  ARCHIVE_ATTRIBUTES,
  readArchiveError,
  readArchiveStatus,
  readDocuments,
} from './archive-attributes.ts';
import { type Item, s, str } from './attributes.ts';
import { finishItemOf, finishKeyIn, packageItemOf } from './item-parsing.ts';
import { type FinishItem, OPEN_PACKAGES_INDEX, type PackageItem } from './items.ts';
import {
  openPartition,
  PACKAGE_SORT_KEY,
  type PackageRef,
  packageKey,
  packageRefOf,
  TENANTS_PARTITION,
  tenantOfKey,
} from './keys.ts';
import type { ArchiveRecord, PackageReader, PackageRecords } from './package-reader.ts';

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

/** What a package item records of its archive, as the archive function wrote it. */
const archiveOf = (item: Item): ArchiveRecord => ({
  archiveStatus: readArchiveStatus(item),
  archivedAt: str(item, ARCHIVE_ATTRIBUTES.archivedAt),
  documents: readDocuments(item),
  archiveError: readArchiveError(item),
});

/** A package's items, whichever order they came in: the package item and its finishes. */
const recordsOf = ({ tenant, packageId }: PackageRef, items: readonly Item[]): PackageRecords => {
  let found: PackageItem | undefined;
  let archive: ArchiveRecord | undefined;
  const finishes: FinishItem[] = [];
  for (const item of items) {
    const sortKey = str(item, 'sk') ?? '';
    if (sortKey === PACKAGE_SORT_KEY) {
      found = packageItemOf(packageId, item);
      archive = archiveOf(item);
    }
    const key = finishKeyIn(packageId, sortKey);
    if (key) finishes.push(finishItemOf(key, item));
  }
  finishes.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { tenant, packageId, package: found, finishes, archive };
};

/** A tenant's open package as its index entry shows it: whose, which, and when it last changed. */
interface OpenEntry {
  readonly ref: PackageRef;
  readonly updatedAt: string;
}

/** The table's package and finish items, of every tenant, read with the SDK's paginators. */
export class DynamoDbPackageReader implements PackageReader {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #pageSize: number | undefined;

  constructor(client: DynamoDBClient, tableName: string, options: PackageReaderOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#pageSize = options.pageSize;
  }

  async readPackage(packageId: number, tenant: string): Promise<PackageRecords> {
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(packageKey(packageId, tenant).pk) },
      ConsistentRead: true,
    });
    return recordsOf({ tenant, packageId }, items);
  }

  async openPackages(): Promise<PackageRef[]> {
    const tenants = [DEFAULT_TENANT, ...(await this.#registeredTenants())];
    const entries = (await Promise.all(tenants.map((tenant) => this.#openOf(tenant)))).flat();
    // Newest first across tenants; ties keep each tenant's own order.
    entries.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    const seen = new Set<string>();
    return entries.flatMap(({ ref }) => {
      const key = packageKey(ref.packageId, ref.tenant).pk;
      if (seen.has(key)) return [];
      seen.add(key);
      return [ref];
    });
  }

  async allPackages(): Promise<PackageRecords[]> {
    const items = await itemsOf(
      'Scan',
      paginateScan(this.#paginator(), { TableName: this.#tableName, ConsistentRead: true }),
    );
    const byPackage = new Map<string, { ref: PackageRef; items: Item[] }>();
    for (const item of items) {
      const pk = str(item, 'pk');
      const ref = packageRefOf(pk);
      if (pk === undefined || ref === undefined) continue;
      const entry = byPackage.get(pk) ?? { ref, items: [] };
      entry.items.push(item);
      byPackage.set(pk, entry);
    }
    return [...byPackage.values()].map((entry) => recordsOf(entry.ref, entry.items));
  }

  /** The tenants other than `default` the table's registry holds. */
  async #registeredTenants(): Promise<string[]> {
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(TENANTS_PARTITION) },
    });
    return items.flatMap((item) => {
      const tenant = tenantOfKey(str(item, 'sk'));
      return tenant === undefined || tenant === DEFAULT_TENANT ? [] : [tenant];
    });
  }

  /** One tenant's partition of the open-packages index, newest first. */
  async #openOf(tenant: string): Promise<OpenEntry[]> {
    const items = await this.#query({
      IndexName: OPEN_PACKAGES_INDEX,
      KeyConditionExpression: 'openStatus = :open',
      ExpressionAttributeValues: { ':open': s(openPartition(tenant)) },
      ScanIndexForward: false,
    });
    return items.flatMap((item) => {
      const ref = packageRefOf(str(item, 'pk'));
      // Only this tenant's own: a key of another shape in its partition is not one of its packages.
      return ref?.tenant === tenant ? [{ ref, updatedAt: str(item, 'updatedAt') ?? '' }] : [];
    });
  }

  #query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    return itemsOf(
      'Query',
      paginateQuery(this.#paginator(), { TableName: this.#tableName, ...input }),
    );
  }

  #paginator() {
    return {
      client: this.#client,
      ...(this.#pageSize === undefined ? {} : { pageSize: this.#pageSize }),
    };
  }
}
