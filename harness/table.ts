import { readFileSync } from 'node:fs';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceInUseException,
  type StreamViewType,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The table's shape, shared with serverless.yml so tests and local runs use what AWS gets. */
export interface TableDefinition {
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly KeySchema: KeySchemaElement[];
  readonly BillingMode: 'PAY_PER_REQUEST';
  readonly GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  /** CloudFormation's shape: the view type only (a stream is enabled by being specified). */
  readonly StreamSpecification?: { readonly StreamViewType: StreamViewType };
  readonly TimeToLiveAttribute: string;
}

export const TABLE_DEFINITION = JSON.parse(
  readFileSync(new URL('../infra/table.json', import.meta.url), 'utf8'),
) as TableDefinition;

/** Creates the table unless it exists; answers whether it created it. */
export const createTable = async (client: DynamoDBClient, tableName: string): Promise<boolean> => {
  const { TimeToLiveAttribute, StreamSpecification: stream, ...definition } = TABLE_DEFINITION;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        ...definition,
        ...(stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType } }
          : {}),
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TimeToLiveAttribute, Enabled: true },
    }),
  );
  return true;
};
