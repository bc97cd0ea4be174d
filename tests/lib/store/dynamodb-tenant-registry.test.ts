import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTable } from '../../../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../../../lib/store/dynamodb-tenant-registry.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

/** The table through a client of its own that counts the requests of each command. */
const countingTable = () => {
  const counts = new Map<string, number>();
  const client = new DynamoDBClient({ endpoint: table.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { on: new DynamoDbTable(client, table.tableName), counts, client };
};

describe('DynamoDbTenantRegistry', () => {
  it('writes a tenant once per instance, however often it is registered there', async () => {
    const { on, counts, client } = countingTable();
    try {
      const registry = new DynamoDbTenantRegistry(on);
      await registry.register('once');
      await registry.register('once');
      await registry.register('twice');
      expect(counts.get('PutItemCommand')).toBe(2);
      // Another instance (another Lambda) writes it again: a put that changes nothing.
      await new DynamoDbTenantRegistry(on).register('once');
      expect(counts.get('PutItemCommand')).toBe(3);
      expect(await registry.tenants()).toEqual(expect.arrayContaining(['once', 'twice']));
    } finally {
      client.destroy();
    }
  });

  it('reads every page of a registry larger than one page of DynamoDB’s (1 MB)', async () => {
    const big = await createTestTable();
    try {
      // Three items of about 390 KB: DynamoDB answers them in more than one page.
      const padding = 'x'.repeat(390 * 1024);
      for (const name of ['big-a', 'big-b', 'big-c']) {
        await big.client.send(
          new PutItemCommand({
            TableName: big.tableName,
            Item: { pk: { S: 'TENANTS' }, sk: { S: `TENANT#${name}` }, padding: { S: padding } },
          }),
        );
      }
      await new DynamoDbTenantRegistry(big.table).register('small');
      expect(await new DynamoDbTenantRegistry(big.table).tenants()).toEqual([
        'big-a',
        'big-b',
        'big-c',
        'small',
      ]);
    } finally {
      await big.drop();
    }
  });
});
