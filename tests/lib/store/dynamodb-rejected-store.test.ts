import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const now = new Date('2026-11-27T10:00:00Z');

describe('DynamoDbRejectedStore', () => {
  it('keeps one item per id however often it is stored', async () => {
    const input = {
      id: 'event-m1',
      source: 'event' as const,
      reason: 'r',
      raw: 'x',
      receivedAt: now.toISOString(),
    };
    await table.rejected.putRejected(input);
    await expect(
      table.rejected.putRejected({ ...input, reason: 'second' }),
    ).resolves.toBeUndefined();
  });
});
