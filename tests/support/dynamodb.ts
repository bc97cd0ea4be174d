import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createTable } from '../../harness/table.ts';
import { DynamoDbStore } from '../../lib/store/dynamodb-store.ts';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly store: DynamoDbStore;
  drop(): Promise<void>;
}

/** A fresh table in the run's DynamoDB Local, made from infra/table.json like the deployed one. */
export const createTestTable = async (): Promise<TestTable> => {
  const endpoint = inject('dynamoDbEndpoint');
  const tableName = `test-${randomUUID()}`;
  const client = new DynamoDBClient({ endpoint });
  await createTable(client, tableName);
  return {
    endpoint,
    tableName,
    client,
    store: new DynamoDbStore(client, tableName),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
};
