import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Environment } from '../lib/config.ts';
import { asOperatorFailure } from './aws-failure.ts';
import { type AwsSession, openAwsSession } from './aws-session.ts';
import { type DeployedStack, findDeployedStack } from './deployed-stack.ts';

/** The clients a command on a stage may use, each made on first use with the session's region. */
export interface StageClients {
  readonly dynamoDb: () => DynamoDBClient;
  readonly sqs: () => SQSClient;
  readonly lambda: () => LambdaClient;
  readonly eventBridge: () => EventBridgeClient;
  readonly secretsManager: () => SecretsManagerClient;
}

export interface StageContext {
  readonly session: AwsSession;
  readonly stack: DeployedStack;
  readonly clients: StageClients;
  /** How the lines name it: "stage prod in eu-west-1". */
  readonly where: string;
}

interface Destroyable {
  destroy(): void;
}

/**
 * Runs `work` on a deployed stage: the region and credentials as the AWS CLI finds them, the
 * stack's resources, the clients; what AWS refuses becomes one line that says what to do.
 */
export const onStage = async <T>(
  target: { readonly stage: string; readonly region: string | undefined },
  env: Environment,
  work: (context: StageContext) => Promise<T>,
): Promise<T> => {
  const session = await openAwsSession(target.region, env);
  const made: Destroyable[] = [];
  const lazy = <C extends Destroyable>(make: () => C): (() => C) => {
    let client: C | undefined;
    return () => {
      if (!client) {
        client = make();
        made.push(client);
      }
      return client;
    };
  };
  const config = session.clientConfig;
  const cloudFormation = lazy(() => new CloudFormationClient(config));
  const clients: StageClients = {
    dynamoDb: lazy(() => new DynamoDBClient(config)),
    // The endpoint the SDK resolves (the region's, or AWS_ENDPOINT_URL), not the queue URL's host.
    sqs: lazy(() => new SQSClient({ ...config, useQueueUrlAsEndpoint: false })),
    lambda: lazy(() => new LambdaClient(config)),
    eventBridge: lazy(() => new EventBridgeClient(config)),
    secretsManager: lazy(() => new SecretsManagerClient(config)),
  };
  try {
    const stack = await findDeployedStack(cloudFormation(), target.stage, session.region);
    return await work({
      session,
      stack,
      clients,
      where: `stage ${target.stage} in ${session.region}`,
    });
  } catch (error) {
    throw asOperatorFailure(error, session.region);
  } finally {
    for (const client of made) client.destroy();
  }
};
