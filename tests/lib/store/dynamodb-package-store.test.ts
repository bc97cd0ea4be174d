import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

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
