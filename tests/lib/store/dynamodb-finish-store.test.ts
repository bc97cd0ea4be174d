import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../lib/errors.ts';
import { DynamoDbFinishStore } from '../../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbTable } from '../../../lib/store/dynamodb-table.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';
import { itemAt } from '../../support/table-items.ts';

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

describe('DynamoDbFinishStore', () => {
  it('lets one claim win and tells the loser the status', async () => {
    const key = newKey();
    expect(await table.finishes.claimFinish(key, lease('a'), now)).toEqual({ claimed: true });
    expect(await table.finishes.claimFinish(key, lease('b'), now)).toEqual({
      claimed: false,
      status: 'IN_FLIGHT',
    });
  });

  it('lets only the lease holder settle, and adds the requests sent to attempts', async () => {
    const key = newKey();
    await table.finishes.claimFinish(key, lease('a'), now);
    const error = { httpStatus: 503, message: 'busy' };
    expect(
      await table.finishes.recordRetry(key, lease('a'), { lastError: error, requestsSent: 1, now }),
    ).toBe(true);
    expect(
      await table.finishes.settleFinish(key, 'b', { status: 'SUCCEEDED', now, requestsSent: 1 }),
    ).toBe(false);
    expect(
      await table.finishes.settleFinish(key, 'a', { status: 'SUCCEEDED', now, requestsSent: 1 }),
    ).toBe(true);
    expect(await table.finishes.getFinish(key)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 2,
      lastError: error,
      finishedAt: now.toISOString(),
    });
  });

  it('lets a RETRYING finish be claimed again, but never a settled one', async () => {
    const retrying = newKey();
    await table.finishes.claimFinish(retrying, lease('a'), now);
    await table.finishes.settleFinish(retrying, 'a', {
      status: 'RETRYING',
      now,
      requestsSent: 1,
      lastError: { message: 'x' },
    });
    expect(await table.finishes.claimFinish(retrying, lease('b'), now)).toEqual({ claimed: true });
    // The new claim keeps what the item counted so far.
    expect(await table.finishes.getFinish(retrying)).toMatchObject({
      status: 'IN_FLIGHT',
      attempts: 1,
    });

    const failed = newKey();
    await table.finishes.claimFinish(failed, lease('a'), now);
    await table.finishes.settleFinish(failed, 'a', { status: 'FAILED', now, requestsSent: 1 });
    const later = new Date(now.getTime() + 3_600_000);
    expect(await table.finishes.claimFinish(failed, lease('c'), later)).toEqual({
      claimed: false,
      status: 'FAILED',
    });
  });

  it('lets a claim whose lease has run out be taken over', async () => {
    const key = newKey();
    await table.finishes.claimFinish(key, lease('a', 1_000), now);
    const later = new Date(now.getTime() + 2_000);
    expect(
      await table.finishes.claimFinish(
        key,
        { leaseId: 'b', leaseUntil: later.getTime() + 1 },
        later,
      ),
    ).toEqual({ claimed: true });
    expect(
      await table.finishes.settleFinish(key, 'a', {
        status: 'SUCCEEDED',
        now: later,
        requestsSent: 1,
      }),
    ).toBe(false);
  });

  it('names the signer on the item, and - for the account finishing for itself, as its key does', async () => {
    const signer = newKey();
    const account = { ...newKey(), signer: undefined };
    await table.finishes.claimFinish(signer, lease('a'), now);
    await table.finishes.claimFinish(account, lease('a'), now);
    expect(
      await itemAt(table, `PACKAGE#${signer.packageId}`, 'FINISH#alice@example.com'),
    ).toMatchObject({ packageId: signer.packageId, signerEmail: 'alice@example.com' });
    expect(await itemAt(table, `PACKAGE#${account.packageId}`, 'FINISH#-')).toMatchObject({
      packageId: account.packageId,
      signerEmail: '-',
    });
  });
});

describe('DynamoDbTable', () => {
  it("turns the SDK's failure into a StoreError that keeps it as the cause", async () => {
    const unreachable = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const finishes = new DynamoDbFinishStore(new DynamoDbTable(unreachable, 'nowhere'));
    const error = await finishes.claimFinish(newKey(), lease('a'), now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      operation: 'UpdateItem',
      message: /^DynamoDB UpdateItem failed: /,
    });
    expect((error as StoreError).cause).toBeInstanceOf(Error);
    unreachable.destroy();
  });

  const KEY = { pk: 'PACKAGE#1', sk: 'PACKAGE' };
  it.each([
    ['UpdateItem', (t: DynamoDbTable) => t.update({ Key: { pk: { S: 'x' }, sk: { S: 'y' } } })],
    ['PutItem', (t: DynamoDbTable) => t.put({ Item: { pk: { S: 'x' }, sk: { S: 'y' } } })],
    ['GetItem', (t: DynamoDbTable) => t.get(KEY)],
    [
      'Query',
      (t: DynamoDbTable) =>
        t.query({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'x' } },
        }),
    ],
  ] as const)('names %s in the StoreError of a table it cannot reach', async (operation, call) => {
    const unreachable = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const error = await call(new DynamoDbTable(unreachable, 'nowhere')).catch((e: unknown) => e);
    unreachable.destroy();
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation });
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });
});
