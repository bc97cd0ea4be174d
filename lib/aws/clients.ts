import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StoreConfig } from '../config.ts';

/**
 * AWS clients built from the SDK's standard environment (AWS_REGION, credentials,
 * AWS_ENDPOINT_URL[_<SERVICE>]); DynamoDB also takes DYNAMODB_ENDPOINT.
 */
export const createDynamoDbClient = (
  config: Pick<StoreConfig, 'dynamoDbEndpoint'>,
): DynamoDBClient =>
  new DynamoDBClient(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {});

let secretsManager: SecretsManagerClient | undefined;

/** Built on first use: most deployments keep credentials in Secrets Manager, tests do not. */
export const lazySecretsManager = (): SecretsManagerClient => {
  secretsManager ??= new SecretsManagerClient({});
  return secretsManager;
};
