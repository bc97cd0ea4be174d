import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type Item, keyOf, s, str } from '../lib/store/attributes.ts';
import {
  PACKAGE_SORT_KEY,
  type PackageRef,
  packageKey,
  packageRefOf,
  type TableKey,
} from '../lib/store/keys.ts';
import { awsCall } from './aws-failure.ts';

/** One page of the backfill's Scan. */
export interface ScanPageRequest {
  /** Only this tenant's packages (`default` included); undefined: every tenant's. */
  readonly tenant: string | undefined;
  /** The key the previous page ended at; undefined: the table's start. */
  readonly after: TableKey | undefined;
  /** How many items the page reads (DynamoDB's Limit, counted before the filter). */
  readonly limit: number;
}

/** A COMPLETED package not yet ARCHIVED, as the Scan found it. */
export interface UnarchivedPackage extends PackageRef {
  /** Its package item's key: a cursor that resumes just after it. */
  readonly key: TableKey;
  /** Its last archive FAILED (a request tries it again). */
  readonly failedBefore: boolean;
}

export interface ScanPage {
  readonly packages: readonly UnarchivedPackage[];
  /** How many items the page read, whatever the filter kept. */
  readonly scanned: number;
  /** Where the next page starts; undefined once the table is read to its end. */
  readonly next: TableKey | undefined;
}

/** The start of every partition key of a tenant's packages (`PACKAGE#`, `TENANT#acme#PACKAGE#`). */
const partitionPrefix = (tenant: string): string => {
  const pk = packageKey(1, tenant).pk;
  return pk.slice(0, pk.length - 1);
};

/** Where the next page starts: the page's LastEvaluatedKey, a key of this table. */
const nextOf = (last: Item | undefined): TableKey | undefined => {
  if (last === undefined) return undefined;
  const pk = str(last, 'pk');
  const sk = str(last, 'sk');
  if (pk === undefined || sk === undefined) {
    throw new Error(
      `DynamoDB ended a Scan page at a key that is not this table's: ${JSON.stringify(last)}`,
    );
  }
  return { pk, sk };
};

/**
 * One page of a Scan of the table for the package items that are COMPLETED and not ARCHIVED
 * (never archived, or FAILED), of one tenant or of all; the filter runs in DynamoDB, so a page
 * may keep none of what it read and still not be the last.
 */
export const scanUnarchived = async (
  dynamoDb: Pick<DynamoDBClient, 'send'>,
  tableName: string,
  { tenant, after, limit }: ScanPageRequest,
): Promise<ScanPage> => {
  const ofTenant = tenant === undefined ? '' : ' AND begins_with(pk, :prefix)';
  const output = await awsCall('dynamodb:Scan', () =>
    dynamoDb.send(
      new ScanCommand({
        TableName: tableName,
        Limit: limit,
        FilterExpression:
          'sk = :package AND #status = :completed AND ' +
          `(attribute_not_exists(archiveStatus) OR archiveStatus <> :archived)${ofTenant}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':package': s(PACKAGE_SORT_KEY),
          ':completed': s('COMPLETED'),
          ':archived': s('ARCHIVED'),
          ...(tenant === undefined ? {} : { ':prefix': s(partitionPrefix(tenant)) }),
        },
        ProjectionExpression: 'pk, sk, archiveStatus',
        ...(after === undefined ? {} : { ExclusiveStartKey: keyOf(after) }),
      }),
    ),
  );
  const packages = (output.Items ?? []).flatMap((item): UnarchivedPackage[] => {
    const pk = str(item, 'pk');
    const ref = packageRefOf(pk);
    if (pk === undefined || ref === undefined) return [];
    return [
      {
        ...ref,
        key: { pk, sk: PACKAGE_SORT_KEY },
        failedBefore: str(item, 'archiveStatus') === 'FAILED',
      },
    ];
  });
  return { packages, scanned: output.ScannedCount ?? 0, next: nextOf(output.LastEvaluatedKey) };
};

/** The cursor `--after` takes: a key of the table, opaque to the user. */
export const cursorOf = (key: TableKey): string =>
  Buffer.from(JSON.stringify([key.pk, key.sk]), 'utf8').toString('base64url');

/** The key a cursor stands for; undefined for anything this command did not print. */
export const keyOfCursor = (cursor: string): TableKey | undefined => {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [pk, sk] = parsed as unknown[];
  return typeof pk === 'string' && typeof sk === 'string' && pk !== '' && sk !== ''
    ? { pk, sk }
    : undefined;
};
