import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StoreConfig } from '../config.ts';
import { DynamoDbTable } from '../store/dynamodb-table.ts';
import { FUNCTION_SDK_CONFIG } from './sdk-config.ts';

/**
 * The table through a client built from the SDK's standard environment (AWS_REGION, credentials,
 * AWS_ENDPOINT_URL[_<SERVICE>]); DYNAMODB_ENDPOINT overrides the endpoint.
 */
export const createDynamoDbTable = (config: StoreConfig): DynamoDbTable =>
  new DynamoDbTable(
    new DynamoDBClient({
      ...FUNCTION_SDK_CONFIG,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
    }),
    config.tableName,
  );

let secretsManager: SecretsManagerClient | undefined;

/** Built on first use: most deployments keep credentials in Secrets Manager, tests do not. */
export const lazySecretsManager = (): SecretsManagerClient => {
  secretsManager ??= new SecretsManagerClient(FUNCTION_SDK_CONFIG);
  return secretsManager;
};
