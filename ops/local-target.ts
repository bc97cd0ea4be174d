import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazySecretsManager } from '../lib/aws/clients.ts';
import { DynamoDbPackageReader } from '../lib/store/dynamodb-package-reader.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { busDestination } from './archive-destinations.ts';
import { scanUnarchived } from './archive-scan.ts';
import { packageName } from './operator-target.ts';
import {
  localClientConfig,
  readPublishedEvents,
  simulatorRequest,
  tableClient,
} from './stack-client.ts';
import type { StackState } from './stack-state.ts';
import {
  NO_LOCAL_ARCHIVE_QUEUES,
  NO_LOCAL_QUEUES,
  type OperatorTarget,
  reconcileConfig,
  tenantSigningHub,
} from './target.ts';
import { UserError } from './user-error.ts';

const WHERE = 'the local stack';

/** How to make a first package: with the simulator, or on the SigningHub npm start drives. */
const noPackagesHint = (state: StackState): string =>
  state.simulatorUrl
    ? 'no packages yet: create one with npm run simulator -- package 1001 --signers ' +
      'alice@example.com,bob@example.com, then npm run event -- 1001 alice@example.com'
    : 'no packages yet: send a signing event with npm run event -- <packageId> <signerEmail>';

/** What to do about a package the local table has nothing of. */
const unknownPackageHint = (packageId: number, tenant: string): string =>
  tenant === DEFAULT_TENANT
    ? `package ${packageId} has nothing in the table yet: send a signing event with ` +
      `npm run event -- ${packageId} <signerEmail>`
    : `${packageName(packageId, tenant)} has nothing in the table yet: check the package id ` +
      'and --tenant, or send a signing event for it with its tenant';

/**
 * Runs `work` on the local stack, as npm start published it: its DynamoDB Local table, its
 * EventBridge emulator (whose completion events it records), the settings its functions run with
 * and, when it runs, the simulator. It has no queues: npm start hands each event to finish.
 */
export const onLocalStack = async <T>(
  state: StackState,
  work: (opened: OperatorTarget) => Promise<T>,
): Promise<T> => {
  const client = tableClient(state);
  const table = new DynamoDbTable(client, state.tableName);
  const registry = new DynamoDbTenantRegistry(table);
  let eventBridge: EventBridgeClient | undefined;
  let secretsManager: SecretsManagerClient | undefined;
  // Where npm start's functions read their secrets: its local stand-in, or AWS as they find it.
  const secretsEndpoint = state.functionEnvironment.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  const secrets = secretsEndpoint
    ? () => {
        secretsManager ??= new SecretsManagerClient({
          endpoint: secretsEndpoint,
          ...localClientConfig(state),
          maxAttempts: 2,
        });
        return secretsManager;
      }
    : lazySecretsManager;
  const events = async () => {
    eventBridge ??= new EventBridgeClient({
      endpoint: state.eventBridgeUrl,
      ...localClientConfig(state),
      maxAttempts: 1,
    });
    return eventBridge;
  };
  try {
    return await work({
      where: WHERE,
      about: {
        stage: state.stage,
        region: state.region,
        stackName: undefined,
        tableName: state.tableName,
      },
      packages: (tenant) => new DynamoDbPackageStore(table, tenant, registry),
      table,
      reports: {
        reader: new DynamoDbPackageReader(client, state.tableName),
        listing: 'all',
        completionEvents: () => readPublishedEvents(state),
        simulator: state.simulatorUrl
          ? (method, path) => simulatorRequest(state, method, path)
          : undefined,
      },
      hints: {
        unknownPackage: unknownPackageHint,
        noPackages: noPackagesHint(state),
      },
      completionBus: async () => ({ eventBridge: await events(), busName: state.eventBusName }),
      // The settings npm start's functions run with, as the stack publishes them.
      signingHub: async (tenant) =>
        tenantSigningHub(
          reconcileConfig(state.functionEnvironment, 'the local stack (npm start)'),
          secrets,
          tenant,
        ),
      queues: (queue) => {
        throw new UserError(queue === 'archive' ? NO_LOCAL_ARCHIVE_QUEUES : NO_LOCAL_QUEUES);
      },
      // npm start hands the bus's archive requests to its archive function, as ArchiveQueue would.
      archiveRequests: () => busDestination(events, state.eventBusName),
      scanUnarchived: (request) => scanUnarchived(client, state.tableName, request),
    });
  } finally {
    eventBridge?.destroy();
    secretsManager?.destroy();
    client.destroy();
  }
};
