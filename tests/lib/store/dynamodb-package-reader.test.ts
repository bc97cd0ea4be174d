import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../lib/errors.ts';
import { DynamoDbArchiveStore } from '../../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbFinishStore } from '../../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageReader } from '../../../lib/store/dynamodb-package-reader.ts';
import { DynamoDbPackageStore } from '../../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../../lib/store/dynamodb-tenant-registry.ts';
import { DEFAULT_TENANT } from '../../../lib/tenants/tenant-id.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

let table: TestTable;
/** One item per request: every read must follow the pages to the end. */
let reader: DynamoDbPackageReader;

beforeAll(async () => {
  table = await createTestTable();
  reader = new DynamoDbPackageReader(table.client, table.tableName, { pageSize: 1 });
});
afterAll(() => table.drop());

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));

/** One tenant's stores on a table, registering the tenant as the functions do. */
const storesOfTenant = (on: TestTable, tenant: string) => {
  const registry = new DynamoDbTenantRegistry(on.table);
  return {
    packages: new DynamoDbPackageStore(on.table, tenant, registry),
    finishes: new DynamoDbFinishStore(on.table, tenant),
    archive: new DynamoDbArchiveStore(on.table, tenant),
    registry,
  };
};

/** A finish that ran and settled as the finish use case leaves it. */
const settled = async (
  packageId: number,
  signer: string | undefined,
  minute: number,
  status: 'SUCCEEDED' | 'FAILED' | 'RETRYING',
) => {
  const key = { packageId, signer };
  const lease = {
    leaseId: `lease-${packageId}-${signer}`,
    leaseUntil: at(minute).getTime() + 60_000,
  };
  await table.finishes.claimFinish(key, lease, at(minute));
  await table.finishes.settleFinish(key, lease.leaseId, {
    status,
    now: at(minute),
    requestsSent: 2,
    ...(status === 'SUCCEEDED' ? {} : { lastError: { httpStatus: 503, message: 'busy' } }),
  });
};

describe('DynamoDbPackageReader.readPackage', () => {
  it('reads the package item and its finishes, oldest finish first, every page of them', async () => {
    // Made in another order than their sort keys': bob, the account, then alice.
    await settled(9001, 'alice@example.com', 3, 'RETRYING');
    await settled(9001, undefined, 2, 'SUCCEEDED');
    await settled(9001, 'bob@example.com', 1, 'FAILED');
    await table.packages.recordCallback(9001, at(4));

    const records = await reader.readPackage(9001, DEFAULT_TENANT);

    expect(records.tenant).toBe(DEFAULT_TENANT);
    expect(records.packageId).toBe(9001);
    expect(records.package).toEqual({
      packageId: 9001,
      status: 'IN_PROGRESS',
      workflowStatus: undefined,
      callbacks: 1,
      lastCallbackAt: at(4).toISOString(),
      completedAt: undefined,
      updatedAt: at(4).toISOString(),
    });
    expect(records.finishes).toEqual([
      expect.objectContaining({ signer: 'bob@example.com', status: 'FAILED' }),
      {
        packageId: 9001,
        signer: undefined,
        status: 'SUCCEEDED',
        attempts: 2,
        lastError: undefined,
        createdAt: at(2).toISOString(),
        updatedAt: at(2).toISOString(),
        finishedAt: at(2).toISOString(),
      },
      {
        packageId: 9001,
        signer: 'alice@example.com',
        status: 'RETRYING',
        attempts: 2,
        lastError: { httpStatus: 503, message: 'busy' },
        createdAt: at(3).toISOString(),
        updatedAt: at(3).toISOString(),
        finishedAt: undefined,
      },
    ]);
  });

  it('has no package item for a package whose items are finishes only', async () => {
    await settled(9002, 'alice@example.com', 1, 'RETRYING');
    const records = await reader.readPackage(9002, DEFAULT_TENANT);
    expect(records.package).toBeUndefined();
    expect(records.finishes.map((finish) => finish.signer)).toEqual(['alice@example.com']);
  });

  it('reads nothing for a package the table does not know', async () => {
    expect(await reader.readPackage(9099, DEFAULT_TENANT)).toEqual({
      tenant: DEFAULT_TENANT,
      packageId: 9099,
      package: undefined,
      finishes: [],
    });
  });

  it('reads a final package as the stores wrote it', async () => {
    await table.packages.markInProgress(9003, at(1));
    await table.packages.recordConfirmation(
      9003,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      at(2),
    );
    expect((await reader.readPackage(9003, DEFAULT_TENANT)).package).toMatchObject({
      status: 'DECLINED',
      workflowStatus: 'DECLINED',
      completedAt: at(2).toISOString(),
    });
  });
});

describe('DynamoDbPackageReader, the archive a package item records', () => {
  const documentOf = (packageId: number, documentId: number, tenant = DEFAULT_TENANT) => ({
    documentId,
    name: `Vertrag ${documentId}.pdf`,
    key: `${tenant}/${packageId}/${documentId}.pdf`,
    bytes: 5_000 + documentId,
    sha256: String(documentId % 10).repeat(64),
  });
  const completedIn = async (packageId: number, minute: number) => {
    await table.packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(minute),
    );
  };

  it('reads what the archive function wrote: ARCHIVED, when, and every document in order', async () => {
    const archives = new DynamoDbArchiveStore(table.table);
    await completedIn(9101, 1);
    await archives.addDocument(9101, documentOf(9101, 7), 0, 'bucket');
    await archives.addDocument(9101, documentOf(9101, 3), 1, 'bucket');
    await archives.markArchived(9101, 2, 'bucket', at(5));

    expect((await reader.readPackage(9101, DEFAULT_TENANT)).archive).toEqual({
      archiveStatus: 'ARCHIVED',
      archivedAt: at(5).toISOString(),
      documents: [documentOf(9101, 7), documentOf(9101, 3)],
      archiveError: undefined,
    });
  });

  it('reads a FAILED archive with its error and the documents stored before it failed', async () => {
    const archives = new DynamoDbArchiveStore(table.table);
    await completedIn(9102, 1);
    await archives.addDocument(9102, documentOf(9102, 1), 0, 'bucket');
    await archives.markFailed(
      9102,
      { httpStatus: 403, message: 'document 2: Document does not belong to user' },
      at(6),
    );

    expect((await reader.readPackage(9102, DEFAULT_TENANT)).archive).toEqual({
      archiveStatus: 'FAILED',
      archivedAt: undefined,
      documents: [documentOf(9102, 1)],
      archiveError: { httpStatus: 403, message: 'document 2: Document does not belong to user' },
    });
  });

  it("reads a package not archived yet as no archive at all, and one tenant's archive as its own", async () => {
    await completedIn(9103, 1);
    expect((await reader.readPackage(9103, DEFAULT_TENANT)).archive).toEqual({
      archiveStatus: undefined,
      archivedAt: undefined,
      documents: [],
      archiveError: undefined,
    });
    const acme = storesOfTenant(table, 'acme');
    await acme.packages.recordConfirmation(
      9103,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(2),
    );
    await acme.archive.addDocument(9103, documentOf(9103, 1, 'acme'), 0, 'bucket');
    await acme.archive.markArchived(9103, 1, 'bucket', at(3));
    expect((await reader.readPackage(9103, 'acme')).archive?.documents).toEqual([
      documentOf(9103, 1, 'acme'),
    ]);
    expect((await reader.readPackage(9103, DEFAULT_TENANT)).archive?.archiveStatus).toBeUndefined();
    // The list's scan reads it the same way.
    const scanned = (await reader.allPackages()).find(
      (records) => records.tenant === 'acme' && records.packageId === 9103,
    );
    expect(scanned?.archive?.archiveStatus).toBe('ARCHIVED');
  });

  it('has no archive for a package without a package item', async () => {
    await settled(9104, 'alice@example.com', 1, 'RETRYING');
    expect((await reader.readPackage(9104, DEFAULT_TENANT)).archive).toBeUndefined();
  });
});

describe('DynamoDbPackageReader.openPackages and allPackages', () => {
  let listed: TestTable;
  let lister: DynamoDbPackageReader;

  beforeAll(async () => {
    listed = await createTestTable();
    lister = new DynamoDbPackageReader(listed.client, listed.tableName, { pageSize: 1 });
    await listed.packages.markInProgress(11, at(5));
    await listed.packages.markInProgress(12, at(9));
    await listed.packages.markInProgress(13, at(7));
    await listed.packages.markInProgress(14, at(1));
    await listed.packages.recordConfirmation(
      14,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(2),
    );
    await listed.finishes.claimFinish(
      { packageId: 15, signer: undefined },
      { leaseId: 'l', leaseUntil: at(3).getTime() },
      at(3),
    );
    await listed.rejected.putRejected({
      id: 'event-1',
      source: 'event',
      reason: 'not JSON',
      raw: '{',
      receivedAt: at(4).toISOString(),
    });
  });
  afterAll(() => listed.drop());

  it('lists the open packages, most recently changed first, from every page of the index', async () => {
    expect(await lister.openPackages()).toEqual(
      [12, 13, 11].map((packageId) => ({ tenant: DEFAULT_TENANT, packageId })),
    );
  });

  it('scans every package, final ones and finish-only ones too, but nothing else', async () => {
    const all = await lister.allPackages();
    expect(all.map((records) => records.packageId).sort()).toEqual([11, 12, 13, 14, 15]);
    expect(all.find((records) => records.packageId === 14)?.package?.status).toBe('COMPLETED');
    const finishOnly = all.find((records) => records.packageId === 15);
    expect(finishOnly?.package).toBeUndefined();
    expect(finishOnly?.finishes).toEqual([
      expect.objectContaining({ signer: undefined, status: 'IN_FLIGHT' }),
    ]);
  });
});

describe('DynamoDbPackageReader across tenants', () => {
  let shared: TestTable;
  let across: DynamoDbPackageReader;
  const storesOf = (tenant: string) => storesOfTenant(shared, tenant);
  const claim = (
    finishes: DynamoDbFinishStore,
    packageId: number,
    signer: string,
    minute: number,
  ) =>
    finishes.claimFinish(
      { packageId, signer },
      { leaseId: `l-${signer}`, leaseUntil: at(minute).getTime() },
      at(minute),
    );

  beforeAll(async () => {
    shared = await createTestTable();
    across = new DynamoDbPackageReader(shared.client, shared.tableName, { pageSize: 1 });
    const acme = storesOf('acme');
    const beta = storesOf('beta');
    // Package 21 in two tenants: two packages, each with a finish of its own.
    await shared.packages.markInProgress(21, at(3));
    await claim(shared.finishes, 21, 'alice@example.com', 3);
    await acme.packages.markInProgress(21, at(8));
    await claim(acme.finishes, 21, 'bob@example.com', 8);
    await acme.packages.markInProgress(22, at(1));
    await acme.packages.markInProgress(23, at(2));
    await acme.packages.recordConfirmation(
      23,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(4),
    );
    await beta.packages.markInProgress(31, at(6));
    // A tenant the registry knows that has nothing open.
    await storesOf('gamma').registry.register('gamma');
  });
  afterAll(() => shared.drop());

  it("reads one tenant's package, never another's of the same id", async () => {
    const mine = await across.readPackage(21, DEFAULT_TENANT);
    const acmes = await across.readPackage(21, 'acme');
    expect(mine.tenant).toBe(DEFAULT_TENANT);
    expect(mine.package?.updatedAt).toBe(at(3).toISOString());
    expect(mine.finishes.map((finish) => finish.signer)).toEqual(['alice@example.com']);
    expect(acmes.tenant).toBe('acme');
    expect(acmes.package?.updatedAt).toBe(at(8).toISOString());
    expect(acmes.finishes.map((finish) => finish.signer)).toEqual(['bob@example.com']);
    expect(await across.readPackage(21, 'beta')).toEqual({
      tenant: 'beta',
      packageId: 21,
      package: undefined,
      finishes: [],
    });
  });

  it("lists every tenant's open packages, each from its own partition, newest first across them", async () => {
    expect(await across.openPackages()).toEqual([
      { tenant: 'acme', packageId: 21 },
      { tenant: 'beta', packageId: 31 },
      { tenant: DEFAULT_TENANT, packageId: 21 },
      { tenant: 'acme', packageId: 22 },
    ]);
  });

  it('scans every package of every tenant, each with its own items', async () => {
    const all = await across.allPackages();
    const byRef = (tenant: string, packageId: number) =>
      all.find((records) => records.tenant === tenant && records.packageId === packageId);
    expect(all.map(({ tenant, packageId }) => `${tenant}/${packageId}`).sort()).toEqual([
      'acme/21',
      'acme/22',
      'acme/23',
      'beta/31',
      'default/21',
    ]);
    expect(byRef('acme', 21)?.finishes.map((finish) => finish.signer)).toEqual(['bob@example.com']);
    expect(byRef(DEFAULT_TENANT, 21)?.finishes.map((finish) => finish.signer)).toEqual([
      'alice@example.com',
    ]);
    expect(byRef('acme', 23)?.package?.status).toBe('COMPLETED');
  });
});

describe('DynamoDbPackageReader on a table it cannot read', () => {
  const missing = () => new DynamoDbPackageReader(table.client, 'no-such-table');

  it.each([
    ['readPackage', 'Query', () => missing().readPackage(1, DEFAULT_TENANT)],
    ['openPackages', 'Query', () => missing().openPackages()],
    ['allPackages', 'Scan', () => missing().allPackages()],
  ] as const)(
    '%s fails with a StoreError naming %s, the SDK error as its cause',
    async (_, operation, read) => {
      const error: unknown = await read().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).operation).toBe(operation);
      expect((error as StoreError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
    },
  );
});

describe('item parsing through the reader', () => {
  it('reads an item written without its usual attributes with the stores’ defaults', async () => {
    const client = new DynamoDBClient({ endpoint: table.endpoint });
    try {
      for (const sk of ['PACKAGE', 'FINISH#-', 'FINISH#', 'SOMETHING']) {
        await client.send(
          new PutItemCommand({
            TableName: table.tableName,
            Item: { pk: { S: 'PACKAGE#9004' }, sk: { S: sk }, status: { S: 'BOGUS' } },
          }),
        );
      }
    } finally {
      client.destroy();
    }
    expect(await reader.readPackage(9004, DEFAULT_TENANT)).toEqual({
      tenant: DEFAULT_TENANT,
      packageId: 9004,
      package: {
        packageId: 9004,
        status: 'IN_PROGRESS',
        workflowStatus: undefined,
        callbacks: 0,
        lastCallbackAt: undefined,
        completedAt: undefined,
        updatedAt: '',
      },
      archive: {
        archiveStatus: undefined,
        archivedAt: undefined,
        documents: [],
        archiveError: undefined,
      },
      finishes: [
        {
          packageId: 9004,
          signer: undefined,
          status: 'IN_FLIGHT',
          attempts: 0,
          lastError: undefined,
          createdAt: '',
          updatedAt: '',
          finishedAt: undefined,
        },
      ],
    });
  });
});
