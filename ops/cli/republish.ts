import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadPublisherConfig } from '../../lib/config.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { deployedEnvironment } from '../deployed-stack.ts';
import { onStage } from '../on-stage.ts';
import { packageCommandLine, TARGET_USAGE } from '../operator-target.ts';
import { type RepublishResult, republishPackage } from '../republish.ts';
import { runCommand } from '../run-command.ts';
import { localClientConfig, tableClient } from '../stack-client.ts';
import { requireRunningStack } from '../stack-state.ts';

const COMMAND = {
  name: 'republish',
  synopsis: `<packageId> ${TARGET_USAGE}`,
  summary:
    "Sends a final package's completion event again, rebuilt from its package item by the code " +
    'the publish function uses.',
  examples: ['npm run republish -- 1001', 'npm run republish -- 1001 --stage prod --json'],
};

const report = (result: RepublishResult, json: boolean): number => {
  process.stdout.write(
    json
      ? `${JSON.stringify(result, null, 2)}\n`
      : `package ${result.packageId} (${result.status}): ${result.detailType} sent again to bus ` +
          `${result.busName}${result.eventId ? ` as event ${result.eventId}` : ''}\n`,
  );
  return 0;
};

const main = async (): Promise<number> => {
  const { target, packageId, json } = packageCommandLine(COMMAND);

  if (target.kind === 'stage') {
    return onStage(target, process.env, async ({ stack, clients, where }) => {
      const publishEnvironment = await deployedEnvironment(clients.lambda(), stack.publishFunction);
      const result = await republishPackage(packageId, {
        table: new DynamoDbTable(clients.dynamoDb(), stack.tableName),
        tableName: stack.tableName,
        eventBridge: clients.eventBridge(),
        busName: loadPublisherConfig(publishEnvironment).eventBusName,
        where,
      });
      return report(result, json);
    });
  }

  const state = await requireRunningStack(process.env);
  const client = tableClient(state);
  const eventBridge = new EventBridgeClient({
    endpoint: state.eventBridgeUrl,
    ...localClientConfig(state),
    maxAttempts: 1,
  });
  try {
    const result = await republishPackage(packageId, {
      table: new DynamoDbTable(client, state.tableName),
      tableName: state.tableName,
      eventBridge,
      busName: state.eventBusName,
      where: 'the local stack',
    });
    return report(result, json);
  } finally {
    eventBridge.destroy();
    client.destroy();
  }
};

runCommand(main);
