import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPackageReader } from '../../../lib/store/dynamodb-package-reader.ts';
import { DynamoDbPackageStore } from '../../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../../lib/store/dynamodb-tenant-registry.ts';
import { DEFAULT_TENANT } from '../../../lib/tenants/tenant-id.ts';
import { createTestTable, type TestTable } from '../../support/dynamodb.ts';

/** What the reader asks DynamoDB Local for, each request as the SDK sends it. */
interface Request {
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** A client of the test's DynamoDB Local that keeps each request's command and input. */
const recordingClient = (endpoint: string) => {
  const requests: Request[] = [];
  const client = new DynamoDBClient({ endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push({
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return { client, requests };
};

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));

let table: TestTable;
let recorded: ReturnType<typeof recordingClient>;

beforeAll(async () => {
  table = await createTestTable();
  recorded = recordingClient(table.endpoint);
  const registry = new DynamoDbTenantRegistry(table.table);
  await table.packages.markInProgress(71, at(1));
  await new DynamoDbPackageStore(table.table, 'acme', registry).markInProgress(72, at(2));
  // The registry naming default, and an item of its partition that names no tenant: neither is a
  // tenant of its own to list.
  await registry.register(DEFAULT_TENANT);
  await table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: { pk: { S: 'TENANTS' }, sk: { S: 'SOMETHING' } },
    }),
  );
});
afterAll(async () => {
  recorded.client.destroy();
  await table.drop();
});

const queriesOf = (requests: readonly Request[]) =>
  requests.filter((request) => request.command === 'QueryCommand');

describe('DynamoDbPackageReader’s requests', () => {
  it('reads a package with a consistent read, so a write just made is seen', async () => {
    recorded.requests.length = 0;
    const reader = new DynamoDbPackageReader(recorded.client, table.tableName);
    expect((await reader.readPackage(71, DEFAULT_TENANT)).package?.packageId).toBe(71);
    expect(recorded.requests).toEqual([
      { command: 'QueryCommand', input: expect.objectContaining({ ConsistentRead: true }) },
    ]);
  });

  it('asks for pages of the size it was given, and for whole pages without one', async () => {
    recorded.requests.length = 0;
    await new DynamoDbPackageReader(recorded.client, table.tableName, {
      pageSize: 1,
    }).openPackages();
    const paged = queriesOf(recorded.requests);
    recorded.requests.length = 0;
    await new DynamoDbPackageReader(recorded.client, table.tableName).openPackages();
    const whole = queriesOf(recorded.requests);

    expect(paged.length).toBeGreaterThan(0);
    for (const query of paged) expect(query.input.Limit).toBe(1);
    for (const query of whole) expect(query.input.Limit).toBeUndefined();
  });

  it('queries the open index once per tenant: default once, and nothing for a registry item naming no other tenant', async () => {
    recorded.requests.length = 0;
    const reader = new DynamoDbPackageReader(recorded.client, table.tableName);
    expect(await reader.openPackages()).toEqual([
      { tenant: 'acme', packageId: 72 },
      { tenant: DEFAULT_TENANT, packageId: 71 },
    ]);
    const partitions = queriesOf(recorded.requests)
      .filter((query) => query.input.IndexName !== undefined)
      .map(
        (query) =>
          (query.input.ExpressionAttributeValues as Record<string, { S: string }>)[':open']?.S,
      );
    expect(partitions.sort()).toEqual(['IN_PROGRESS', 'IN_PROGRESS#acme']);
  });

  it('lists a package once even when two of its items are in the open index', async () => {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: 'PACKAGE#71' },
          sk: { S: 'LEGACY' },
          openStatus: { S: 'IN_PROGRESS' },
          updatedAt: { S: at(3).toISOString() },
        },
      }),
    );
    const reader = new DynamoDbPackageReader(recorded.client, table.tableName);
    expect(await reader.openPackages()).toEqual([
      { tenant: DEFAULT_TENANT, packageId: 71 },
      { tenant: 'acme', packageId: 72 },
    ]);
  });
});
