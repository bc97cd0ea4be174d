import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { itemAt } from '../../support/table-items.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const now = new Date('2026-11-27T10:00:00Z');

describe('DynamoDbRejectedStore', () => {
  it('keeps one item per id however often it is stored, with the first reason', async () => {
    const input = {
      id: 'event-m1',
      source: 'event' as const,
      reason: 'r',
      raw: 'x',
      receivedAt: now.toISOString(),
    };
    await table.rejected.putRejected(input);
    await expect(
      table.rejected.putRejected({
        ...input,
        reason: 'second',
        raw: 'y',
        receivedAt: new Date(now.getTime() + 1_000).toISOString(),
      }),
    ).resolves.toBeUndefined();
    expect(await itemAt(table, 'REJECTED#event-m1', 'REJECTED')).toEqual({
      pk: 'REJECTED#event-m1',
      sk: 'REJECTED',
      source: 'event',
      reason: 'r',
      raw: 'x',
      rawBytes: 1,
      receivedAt: now.toISOString(),
    });
  });
});

describe('DynamoDbRejectedStore, whose input and how much of it', () => {
  const rejected = (id: string, extra: { tenant?: string; raw?: string } = {}) => ({
    id,
    source: 'callback' as const,
    reason: 'no package id',
    raw: 'GET ?',
    receivedAt: now.toISOString(),
    ...extra,
  });

  it('names a tenant other than default on its item, and no tenant for default', async () => {
    await table.rejected.putRejected(rejected('callback-acme', { tenant: 'acme' }));
    await table.rejected.putRejected(rejected('callback-default', { tenant: 'default' }));
    await table.rejected.putRejected(rejected('callback-none'));
    const tenantOf = async (id: string) =>
      (await itemAt(table, `REJECTED#${id}`, 'REJECTED'))?.tenant;
    expect(await tenantOf('callback-acme')).toBe('acme');
    expect(await tenantOf('callback-default')).toBeUndefined();
    expect(await tenantOf('callback-none')).toBeUndefined();
  });

  it('keeps 64 KiB of what came, whole up to that, and says when it cut', async () => {
    await table.rejected.putRejected(rejected('event-64k', { raw: 'a'.repeat(64 * 1024) }));
    await table.rejected.putRejected(rejected('event-big', { raw: 'b'.repeat(64 * 1024 + 5) }));
    const whole = await itemAt(table, 'REJECTED#event-64k', 'REJECTED');
    const cut = await itemAt(table, 'REJECTED#event-big', 'REJECTED');
    expect(whole).toMatchObject({ raw: 'a'.repeat(64 * 1024), rawBytes: 64 * 1024 });
    expect(whole).not.toHaveProperty('rawTruncated');
    expect(cut).toMatchObject({
      raw: 'b'.repeat(64 * 1024),
      rawBytes: 64 * 1024 + 5,
      rawTruncated: true,
    });
  });
});
