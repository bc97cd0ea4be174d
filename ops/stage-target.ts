import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Environment, loadPublisherConfig } from '../lib/config.ts';
import { DynamoDbPackageReader } from '../lib/store/dynamodb-package-reader.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { queueDestination } from './archive-destinations.ts';
import { scanUnarchived } from './archive-scan.ts';
import { asOperatorFailure } from './aws-failure.ts';
import { openAwsSession } from './aws-session.ts';
import {
  type DeployedStack,
  deployedEnvironment,
  findDeployedStack,
  requireArchive,
} from './deployed-stack.ts';
import { checkPackage, packageName } from './operator-target.ts';
import { sqsRedrivePort } from './sqs-redrive.ts';
import { type OperatorTarget, reconcileConfig, tenantSigningHub } from './target.ts';

interface Destroyable {
  destroy(): void;
}

/** The clients a stage's target uses, each made on first use with the session's region. */
const stageClients = (config: { readonly region: string }) => {
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
  return {
    cloudFormation: lazy(() => new CloudFormationClient(config)),
    dynamoDb: lazy(() => new DynamoDBClient(config)),
    // The endpoint the SDK resolves (the region's, or AWS_ENDPOINT_URL), not the queue URL's host.
    sqs: lazy(() => new SQSClient({ ...config, useQueueUrlAsEndpoint: false })),
    lambda: lazy(() => new LambdaClient(config)),
    eventBridge: lazy(() => new EventBridgeClient(config)),
    secretsManager: lazy(() => new SecretsManagerClient(config)),
    destroyAll: () => {
      for (const client of made) client.destroy();
    },
  };
};

/** A deployed stage as a target: its stack's resources, its functions' settings, the caller's credentials. */
const stageTarget = (
  stack: DeployedStack,
  clients: ReturnType<typeof stageClients>,
  where: string,
): OperatorTarget => {
  const dynamoDb = clients.dynamoDb();
  const table = new DynamoDbTable(dynamoDb, stack.tableName);
  const registry = new DynamoDbTenantRegistry(table);
  return {
    where,
    about: {
      stage: stack.stage,
      region: stack.region,
      stackName: stack.stackName,
      tableName: stack.tableName,
    },
    packages: (tenant) => new DynamoDbPackageStore(table, tenant, registry),
    table,
    reports: {
      reader: new DynamoDbPackageReader(dynamoDb, stack.tableName),
      listing: 'open',
      completionEvents: undefined,
      simulator: undefined,
    },
    hints: {
      unknownPackage: (packageId, tenant) =>
        `${packageName(packageId, tenant)} has nothing in the table ${stack.tableName} ` +
        `(${where}): ${checkPackage(tenant)}`,
      noPackages: `no open packages in ${where}: give a package id to see a final one`,
    },
    completionBus: async () => {
      const environment = await deployedEnvironment(clients.lambda(), stack.publishFunction);
      return {
        eventBridge: clients.eventBridge(),
        busName: loadPublisherConfig(environment).eventBusName,
      };
    },
    // The deployed function's own settings; its secrets are read with the caller's credentials.
    signingHub: async (tenant) => {
      const environment = await deployedEnvironment(clients.lambda(), stack.reconcileFunction);
      const config = reconcileConfig(environment, `the reconcile function of ${where}`);
      return tenantSigningHub(config, clients.secretsManager, tenant);
    },
    queues: (queue) => {
      const queues = queue === 'archive' ? requireArchive(stack, where) : stack;
      return {
        port: sqsRedrivePort(clients.sqs(), queues),
        queueUrl: queues.queueUrl,
        deadLetterQueueUrl: queues.deadLetterQueueUrl,
      };
    },
    // The deployed function does the work: no tenant's keys or documents pass through here.
    archiveRequests: () => queueDestination(clients.sqs(), requireArchive(stack, where).queueUrl),
    // With the caller's credentials: the Scan is the operator's own, not a function's.
    scanUnarchived: (request) => scanUnarchived(dynamoDb, stack.tableName, request),
  };
};

/**
 * Runs `work` on a deployed stage: the region and credentials as the AWS CLI finds them, the
 * stack's resources, the clients; what AWS refuses becomes one line that says what to do.
 */
export const onStage = async <T>(
  target: { readonly stage: string; readonly region: string | undefined },
  env: Environment,
  work: (opened: OperatorTarget) => Promise<T>,
): Promise<T> => {
  const session = await openAwsSession(target.region, env);
  const clients = stageClients(session.clientConfig);
  try {
    const stack = await findDeployedStack(clients.cloudFormation(), target.stage, session.region);
    return await work(stageTarget(stack, clients, `stage ${target.stage} in ${session.region}`));
  } catch (error) {
    throw asOperatorFailure(error, session.region);
  } finally {
    clients.destroyAll();
  }
};
