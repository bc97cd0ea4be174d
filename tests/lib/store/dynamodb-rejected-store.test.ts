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
