import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const at = (iso: string) => new Date(iso);
const key = { packageId: 42, signer: 'alice@example.com' };

describe('DynamoDbStore finish items', () => {
  it('claims a new finish once and counts the request', async () => {
    const now = at('2026-11-27T10:00:00Z');
    const first = await table.store.claimFinish(
      key,
      { leaseId: 'a', leaseUntil: now.getTime() + 60_000 },
      now,
    );
    const second = await table.store.claimFinish(
      key,
      { leaseId: 'b', leaseUntil: now.getTime() + 60_000 },
      now,
    );
    expect(first).toEqual({ claimed: true, attempts: 1 });
    expect(second).toEqual({ claimed: false, status: 'IN_FLIGHT' });
  });
});
