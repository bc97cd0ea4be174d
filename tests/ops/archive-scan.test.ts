import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArchiveStore } from '../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import type { PackageStatus } from '../../lib/store/items.ts';
import {
  cursorOf,
  keyOfCursor,
  type ScanPageRequest,
  scanUnarchived,
  type UnarchivedPackage,
} from '../../ops/archive-scan.ts';
import { describeAwsFailure } from '../../ops/aws-failure.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';

const NOW = new Date('2026-11-28T07:00:00Z');
let table: TestTable;

/** A package of a tenant made final as reconcile makes it, then its archive as the function records it. */
const put = async (
  tenant: string,
  packageId: number,
  status: PackageStatus,
  archive?: 'ARCHIVED' | 'FAILED',
) => {
  const packages = new DynamoDbPackageStore(
    table.table,
    tenant,
    new DynamoDbTenantRegistry(table.table),
  );
  await packages.markInProgress(packageId, NOW);
  if (status !== 'IN_PROGRESS') {
    await packages.recordConfirmation(packageId, { status, workflowStatus: status }, NOW);
  }
  const archives = new DynamoDbArchiveStore(table.table, tenant);
  if (archive === 'ARCHIVED') await archives.markArchived(packageId, 0, 'bucket', NOW);
  if (archive === 'FAILED') await archives.markFailed(packageId, { message: 'gone' }, NOW);
};

beforeAll(async () => {
  table = await createTestTable();
  await put('default', 1, 'COMPLETED');
  await put('default', 2, 'COMPLETED', 'FAILED');
  await put('default', 3, 'COMPLETED', 'ARCHIVED');
  await put('default', 4, 'DECLINED');
  await put('default', 5, 'DELETED');
  await put('default', 6, 'IN_PROGRESS');
  await put('acme', 1, 'COMPLETED');
  await put('acme', 9, 'COMPLETED', 'ARCHIVED');
  await put('ab', 7, 'COMPLETED');
  await put('abc', 8, 'COMPLETED');
  // A finish item of a COMPLETED package, and a rejected input: neither is a package item.
  await table.finishes.claimFinish(
    { packageId: 1, signer: 'alice@example.com' },
    { leaseId: 'lease', leaseUntil: NOW.getTime() + 60_000 },
    NOW,
  );
  await table.rejected.putRejected({
    id: 'r1',
    source: 'event',
    reason: 'not JSON',
    raw: '{',
    receivedAt: NOW.toISOString(),
  });
}, 60_000);

afterAll(() => table?.drop());

/** Every page from `after` on, `limit` items a page. */
const scanAll = async (
  request: Omit<ScanPageRequest, 'after'>,
  after?: ScanPageRequest['after'],
) => {
  const found: UnarchivedPackage[] = [];
  const scanned: number[] = [];
  for (let next = after; ; ) {
    const page = await scanUnarchived(table.client, table.tableName, { ...request, after: next });
    found.push(...page.packages);
    scanned.push(page.scanned);
    if (page.next === undefined) return { found, scanned };
    next = page.next;
  }
};

const names = (found: readonly UnarchivedPackage[]) =>
  found.map((entry) => `${entry.tenant}/${entry.packageId}${entry.failedBefore ? ' FAILED' : ''}`);

describe('the Scan for COMPLETED packages not yet ARCHIVED', () => {
  it("finds every tenant's, page by page, and nothing else of the table", async () => {
    const { found, scanned } = await scanAll({ tenant: undefined, limit: 3 });
    expect(names(found).sort()).toEqual(
      ['ab/7', 'abc/8', 'acme/1', 'default/1', 'default/2 FAILED'].sort(),
    );
    expect(scanned.length).toBeGreaterThan(3);
    expect(scanned.every((count) => count <= 3)).toBe(true);
    for (const entry of found) {
      expect(entry.key.sk).toBe('PACKAGE');
      expect(entry.key.pk).toMatch(/PACKAGE#\d+$/);
    }
  });

  it("finds one tenant's only, a tenant whose id starts another's included", async () => {
    expect(names((await scanAll({ tenant: 'ab', limit: 100 })).found)).toEqual(['ab/7']);
    expect(names((await scanAll({ tenant: 'acme', limit: 2 })).found)).toEqual(['acme/1']);
    expect(names((await scanAll({ tenant: 'default', limit: 100 })).found).sort()).toEqual([
      'default/1',
      'default/2 FAILED',
    ]);
  });

  it("resumes just after a package's own key, as a cursor cut by --max gives it", async () => {
    const { found } = await scanAll({ tenant: undefined, limit: 100 });
    const [first, ...rest] = found;
    if (!first) throw new Error('nothing found');
    const resumed = await scanAll(
      { tenant: undefined, limit: 100 },
      keyOfCursor(cursorOf(first.key)),
    );
    expect(names(resumed.found)).toEqual(names(rest));
  });
});

describe("the Scan's answers it does not take", () => {
  const answering = (answer: () => unknown) =>
    ({ send: async () => answer() }) as unknown as Pick<DynamoDBClient, 'send'>;
  const request: ScanPageRequest = { tenant: undefined, after: undefined, limit: 10 };

  it('fails on a page that ends at a key that is not one of the table', async () => {
    const odd = answering(() => ({ Items: [], LastEvaluatedKey: { id: { S: 'x' } } }));
    await expect(scanUnarchived(odd, 'signinghub-finish-test', request)).rejects.toThrow(
      'DynamoDB ended a Scan page at a key that is not this table\'s: {"id":{"S":"x"}}',
    );
  });

  it('names dynamodb:Scan when AWS denies it', async () => {
    const denying = answering(() => {
      throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    });
    const error: unknown = await scanUnarchived(denying, 'signinghub-finish-test', request).catch(
      (caught: unknown) => caught,
    );
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(/^AWS denied dynamodb:Scan to/);
  });
});

describe('the cursor', () => {
  it('stands for the key it was made of', () => {
    const key = { pk: 'TENANT#acme#PACKAGE#1001', sk: 'PACKAGE' };
    expect(cursorOf(key)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(keyOfCursor(cursorOf(key))).toEqual(key);
  });

  it.each([
    [''],
    ['not a cursor'],
    [Buffer.from('{"pk":"a","sk":"b"}').toString('base64url')],
    [Buffer.from('["a"]').toString('base64url')],
    [Buffer.from('["a",""]').toString('base64url')],
    [Buffer.from('[1,2]').toString('base64url')],
    [Buffer.from('not json').toString('base64url')],
    [Buffer.from('["a","b","c"]').toString('base64url')],
    [Buffer.from('["","b"]').toString('base64url')],
    // What base64url's decoder would skip: only the cursor's own characters are taken.
    [`!${cursorOf({ pk: 'PACKAGE#1', sk: 'PACKAGE' })}`],
    [`${cursorOf({ pk: 'PACKAGE#1', sk: 'PACKAGE' })}!`],
  ])('refuses %j', (cursor) => {
    expect(keyOfCursor(cursor)).toBeUndefined();
  });
});
