import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createTable } from '../../harness/table.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbRejectedStore } from '../../lib/store/dynamodb-rejected-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** The table as the stores use it, for stores of other tenants. */
  readonly table: DynamoDbTable;
  readonly finishes: DynamoDbFinishStore;
  readonly packages: DynamoDbPackageStore;
  readonly rejected: DynamoDbRejectedStore;
  drop(): Promise<void>;
}

const storesOn = (table: DynamoDbTable) => ({
  finishes: new DynamoDbFinishStore(table),
  packages: new DynamoDbPackageStore(table),
  rejected: new DynamoDbRejectedStore(table),
});

/** A fresh table in the run's DynamoDB Local, made from infra/table.json like the deployed one. */
export const createTestTable = async (): Promise<TestTable> => {
  const endpoint = inject('dynamoDbEndpoint');
  const tableName = `test-${randomUUID()}`;
  const client = new DynamoDBClient({ endpoint });
  await createTable(client, tableName);
  const table = new DynamoDbTable(client, tableName);
  return {
    endpoint,
    tableName,
    client,
    table,
    ...storesOn(table),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
};
