import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { itemAt } from '../../support/table-items.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const now = new Date('2026-11-27T10:00:00Z');

describe('DynamoDbPackageStore', () => {
  it('creates a package IN_PROGRESS on the first finish', async () => {
    await table.packages.markInProgress(500, now);
    expect(await table.packages.getPackage(500)).toMatchObject({
      packageId: 500,
      status: 'IN_PROGRESS',
      callbacks: 0,
      updatedAt: now.toISOString(),
    });
  });

  it('never overwrites a final status', async () => {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: 'PACKAGE#501' },
          sk: { S: 'PACKAGE' },
          status: { S: 'COMPLETED' },
          updatedAt: { S: now.toISOString() },
        },
      }),
    );
    await table.packages.markInProgress(501, new Date(now.getTime() + 1_000));
    expect(await table.packages.getPackage(501)).toMatchObject({
      status: 'COMPLETED',
      updatedAt: now.toISOString(),
    });
  });
});

const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const itemOf = (packageId: number) => itemAt(table, `PACKAGE#${packageId}`, 'PACKAGE');
/** Whether the index of open packages lists it (as the reconciler would find it). */
const listedOpen = async (packageId: number) =>
  (await table.packages.listStalePackages(later(3_600), 100)).packageIds.includes(packageId);

describe('DynamoDbPackageStore callbacks', () => {
  it('creates an open package on a first callback, counted once, in the index', async () => {
    expect(await table.packages.recordCallback(510, now)).toMatchObject({
      packageId: 510,
      status: 'IN_PROGRESS',
      callbacks: 1,
      lastCallbackAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(await itemOf(510)).toMatchObject({ packageId: 510, createdAt: now.toISOString() });
    expect(await listedOpen(510)).toBe(true);
  });

  it('counts a callback for a final package without touching its status or its place out of the index', async () => {
    await table.packages.recordConfirmation(
      511,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      now,
    );
    const answer = await table.packages.recordCallback(511, later(5));
    expect(answer).toMatchObject({
      status: 'DECLINED',
      callbacks: 1,
      lastCallbackAt: later(5).toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(await listedOpen(511)).toBe(false);
  });
});

describe('DynamoDbPackageStore confirmations', () => {
  it('makes a package final once: status, SigningHub word, completedAt, out of the index', async () => {
    await table.packages.markInProgress(520, now);
    const first = await table.packages.recordConfirmation(
      520,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      later(10),
    );
    expect(first).toEqual({ status: 'COMPLETED', becameFinal: true });
    expect(await itemOf(520)).toMatchObject({
      status: 'COMPLETED',
      workflowStatus: 'COMPLETED',
      completedAt: later(10).toISOString(),
      updatedAt: later(10).toISOString(),
      createdAt: now.toISOString(),
      callbacks: 0,
    });
    expect(await listedOpen(520)).toBe(false);
  });

  it('answers what is stored when it loses the race to another final status, and changes nothing', async () => {
    await table.packages.recordConfirmation(
      521,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      now,
    );
    const late = await table.packages.recordConfirmation(
      521,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      later(10),
    );
    expect(late).toEqual({ status: 'DECLINED', becameFinal: false });
    expect(await itemOf(521)).toMatchObject({
      status: 'DECLINED',
      workflowStatus: 'DECLINED',
      completedAt: now.toISOString(),
    });
  });

  it('keeps a package still open in the index, with SigningHub word and the time it was asked', async () => {
    await table.packages.markInProgress(522, now);
    const answer = await table.packages.recordConfirmation(
      522,
      { status: 'IN_PROGRESS', workflowStatus: 'INPROGRESS' },
      later(10),
    );
    expect(answer).toEqual({ status: 'IN_PROGRESS', becameFinal: false });
    const item = await itemOf(522);
    expect(item).toMatchObject({
      status: 'IN_PROGRESS',
      workflowStatus: 'INPROGRESS',
      updatedAt: later(10).toISOString(),
    });
    expect(item).not.toHaveProperty('completedAt');
    expect(await listedOpen(522)).toBe(true);
  });

  it('records a package SigningHub no longer has as DELETED, with no word of SigningHub', async () => {
    const answer = await table.packages.recordConfirmation(
      523,
      { status: 'DELETED', workflowStatus: undefined },
      now,
    );
    expect(answer).toEqual({ status: 'DELETED', becameFinal: true });
    const item = await itemOf(523);
    expect(item).toMatchObject({ status: 'DELETED', callbacks: 0 });
    expect(item).not.toHaveProperty('workflowStatus');
  });
});

describe('DynamoDbPackageStore reads', () => {
  it('answers undefined for a package it does not have', async () => {
    expect(await table.packages.getPackage(529)).toBeUndefined();
  });

  it('lists open packages unchanged before a time, a page at a time, oldest first', async () => {
    const fresh = await createTestTable();
    try {
      for (const [packageId, age] of [
        [531, 40],
        [532, 30],
        [533, 20],
        [534, 5],
      ] as const) {
        await fresh.packages.markInProgress(packageId, later(-age));
      }
      await fresh.packages.recordConfirmation(
        532,
        { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
        later(-30),
      );
      const before = later(-10);
      const first = await fresh.packages.listStalePackages(before, 1);
      expect(first.packageIds).toEqual([531]);
      expect(first.next).toEqual(expect.any(String));
      const second = await fresh.packages.listStalePackages(before, 5, first.next);
      expect(second).toEqual({ packageIds: [533], next: undefined });
    } finally {
      await fresh.drop();
    }
  });
});
