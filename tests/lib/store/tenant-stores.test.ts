import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFinishStore } from '../../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../../lib/store/dynamodb-tenant-registry.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { scanAll } from '../../support/table-items.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const now = new Date('2026-11-27T10:00:00Z');
const later = new Date('2026-11-27T11:00:00Z');
const lease = { leaseId: 'lease-1', leaseUntil: now.getTime() + 60_000 };

const storesOf = (tenant: string, registry = new DynamoDbTenantRegistry(table.table)) => ({
  packages: new DynamoDbPackageStore(table.table, tenant, registry),
  finishes: new DynamoDbFinishStore(table.table, tenant),
  registry,
});

describe('one table, several tenants', () => {
  it('keeps the same package id in two tenants as two packages, each item marked with its tenant', async () => {
    const acme = storesOf('acme');
    await acme.packages.markInProgress(700, now);
    await table.packages.markInProgress(700, now);
    await acme.packages.recordConfirmation(
      700,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      later,
    );
    expect(await acme.packages.getPackage(700)).toMatchObject({ status: 'COMPLETED' });
    expect(await table.packages.getPackage(700)).toMatchObject({ status: 'IN_PROGRESS' });
    const items = await scanAll(table);
    expect(items.find((item) => item.pk === 'TENANT#acme#PACKAGE#700')).toMatchObject({
      tenant: 'acme',
      status: 'COMPLETED',
    });
    // The default tenant's items carry no tenant attribute, as before.
    expect(items.find((item) => item.pk === 'PACKAGE#700')).not.toHaveProperty('tenant');
  });

  it('marks a tenant’s finish item with its tenant, and leaves the default’s without', async () => {
    const acme = storesOf('acme');
    const key = { packageId: 701, signer: 'a@x.com' };
    expect(await acme.finishes.claimFinish(key, lease, now)).toEqual({ claimed: true });
    // The same (package, signer) in the default tenant is a finish of its own.
    expect(await table.finishes.claimFinish(key, lease, now)).toEqual({ claimed: true });
    await acme.finishes.settleFinish(key, lease.leaseId, {
      status: 'SUCCEEDED',
      now,
      requestsSent: 1,
    });
    expect(await acme.finishes.getFinish(key)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await table.finishes.getFinish(key)).toMatchObject({ status: 'IN_FLIGHT' });
    const items = await scanAll(table);
    expect(items.find((item) => item.pk === 'TENANT#acme#PACKAGE#701')).toMatchObject({
      tenant: 'acme',
      sk: 'FINISH#a@x.com',
    });
    expect(items.find((item) => item.pk === 'PACKAGE#701')).not.toHaveProperty('tenant');
  });

  it('lists each tenant’s stale packages from its own partition of the index only', async () => {
    const beta = storesOf('beta');
    const gamma = storesOf('gamma');
    await beta.packages.markInProgress(800, now);
    await beta.packages.recordCallback(801, now);
    await gamma.packages.markInProgress(800, now);
    await table.packages.markInProgress(800, now);
    await beta.packages.recordConfirmation(
      802,
      { status: 'IN_PROGRESS', workflowStatus: 'SHARED' },
      now,
    );
    const page = await beta.packages.listStalePackages(later, 50);
    expect([...page.packageIds].sort()).toEqual([800, 801, 802]);
    expect((await gamma.packages.listStalePackages(later, 50)).packageIds).toEqual([800]);
    expect((await table.packages.listStalePackages(later, 50)).packageIds).toContain(800);
    // A package made final leaves its tenant's partition of the index.
    await beta.packages.recordConfirmation(
      800,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      later,
    );
    expect([...(await beta.packages.listStalePackages(later, 50)).packageIds].sort()).toEqual([
      801, 802,
    ]);
  });

  it('finds a tenant’s stale package at once however many older ones another tenant has', async () => {
    const crowd = storesOf('crowd');
    const quiet = storesOf('quiet');
    const older = new Date('2026-11-27T09:00:00Z');
    await Promise.all([1, 2, 3, 4, 5].map((id) => crowd.packages.markInProgress(id, older)));
    await quiet.packages.markInProgress(6, now);
    // A page of one: were the tenants' open packages in one partition, it would hold crowd's.
    expect((await quiet.packages.listStalePackages(later, 1)).packageIds).toEqual([6]);
  });

  it('registers a tenant the first time it records a package, and the default tenant never', async () => {
    const registry = new DynamoDbTenantRegistry(table.table);
    await new DynamoDbPackageStore(table.table, 'delta', registry).recordCallback(900, now);
    await new DynamoDbPackageStore(table.table, 'epsilon', registry).recordConfirmation(
      900,
      { status: 'DELETED', workflowStatus: undefined },
      now,
    );
    await new DynamoDbPackageStore(table.table, 'default', registry).markInProgress(900, now);
    const tenants = await new DynamoDbTenantRegistry(table.table).tenants();
    expect(tenants).toEqual(expect.arrayContaining(['delta', 'epsilon']));
    expect(tenants).not.toContain('default');
    const items = await scanAll(table);
    expect(items.find((item) => item.sk === 'TENANT#delta')).toMatchObject({
      pk: 'TENANTS',
      tenant: 'delta',
    });
  });

  it('pages through a registry of many tenants', async () => {
    const registry = new DynamoDbTenantRegistry(table.table);
    const names = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    await Promise.all(names.map((name) => registry.register(name)));
    expect(await registry.tenants()).toEqual(expect.arrayContaining(names));
  });
});
