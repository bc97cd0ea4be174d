import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const now = new Date('2026-11-27T10:00:00Z');
const lease = (leaseId: string, ms = 60_000) => ({ leaseId, leaseUntil: now.getTime() + ms });
let nextId = 0;
const newKey = () => {
  nextId += 1;
  return { packageId: nextId, signer: 'alice@example.com' };
};

describe('DynamoDbStore finish items', () => {
  it('lets one claim win and tells the loser the status', async () => {
    const key = newKey();
    expect(await table.store.claimFinish(key, lease('a'), now)).toEqual({
      claimed: true,
      attempts: 0,
    });
    expect(await table.store.claimFinish(key, lease('b'), now)).toEqual({
      claimed: false,
      status: 'IN_FLIGHT',
    });
  });

  it('lets only the lease holder settle, and adds the requests sent to attempts', async () => {
    const key = newKey();
    await table.store.claimFinish(key, lease('a'), now);
    const error = { httpStatus: 503, message: 'busy' };
    expect(
      await table.store.recordRetry(key, lease('a'), { lastError: error, requestsSent: 1, now }),
    ).toBe(true);
    expect(
      await table.store.settleFinish(key, 'b', { status: 'SUCCEEDED', now, requestsSent: 1 }),
    ).toBe(false);
    expect(
      await table.store.settleFinish(key, 'a', { status: 'SUCCEEDED', now, requestsSent: 1 }),
    ).toBe(true);
    expect(await table.store.getFinish(key)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 2,
      lastError: error,
      finishedAt: now.toISOString(),
    });
  });

  it('lets a RETRYING finish be claimed again, but never a settled one', async () => {
    const retrying = newKey();
    await table.store.claimFinish(retrying, lease('a'), now);
    await table.store.settleFinish(retrying, 'a', {
      status: 'RETRYING',
      now,
      requestsSent: 1,
      lastError: { message: 'x' },
    });
    expect(await table.store.claimFinish(retrying, lease('b'), now)).toEqual({
      claimed: true,
      attempts: 1,
    });

    const failed = newKey();
    await table.store.claimFinish(failed, lease('a'), now);
    await table.store.settleFinish(failed, 'a', { status: 'FAILED', now, requestsSent: 1 });
    const later = new Date(now.getTime() + 3_600_000);
    expect(await table.store.claimFinish(failed, lease('c'), later)).toEqual({
      claimed: false,
      status: 'FAILED',
    });
  });

  it('lets a claim whose lease has run out be taken over', async () => {
    const key = newKey();
    await table.store.claimFinish(key, lease('a', 1_000), now);
    const later = new Date(now.getTime() + 2_000);
    expect(
      await table.store.claimFinish(key, { leaseId: 'b', leaseUntil: later.getTime() + 1 }, later),
    ).toEqual({
      claimed: true,
      attempts: 0,
    });
    expect(
      await table.store.settleFinish(key, 'a', {
        status: 'SUCCEEDED',
        now: later,
        requestsSent: 1,
      }),
    ).toBe(false);
  });
});

describe('DynamoDbStore package items', () => {
  it('creates a package IN_PROGRESS on the first finish', async () => {
    await table.store.markInProgress(500, now);
    expect(await table.store.getPackage(500)).toMatchObject({
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
    await table.store.markInProgress(501, new Date(now.getTime() + 1_000));
    expect(await table.store.getPackage(501)).toMatchObject({
      status: 'COMPLETED',
      updatedAt: now.toISOString(),
    });
  });
});

describe('DynamoDbStore rejected items', () => {
  it('keeps one item per id however often it is stored', async () => {
    const input = {
      id: 'event-m1',
      source: 'event' as const,
      reason: 'r',
      raw: 'x',
      receivedAt: now.toISOString(),
    };
    await table.store.putRejected(input);
    await expect(table.store.putRejected({ ...input, reason: 'second' })).resolves.toBeUndefined();
  });
});
