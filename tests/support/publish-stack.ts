import { vi } from 'vitest';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { createStreamPump, type StreamPump } from '../../harness/stream-pump.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';
import { AS_DEPLOYED, loadHandler } from './function-stack.ts';

export interface PublishStack {
  readonly table: TestTable;
  readonly eventBridge: EventBridgeEmulator;
  /** Feeds the table's stream to the real publish handler; `drain()` waits for what is there. */
  readonly pump: StreamPump;
  stop(): Promise<void>;
}

/**
 * The real publish handler (functions/publish.ts) on a fresh table's stream in DynamoDB Local,
 * sending to an EventBridge emulator on loopback, configured as the template configures it.
 */
export const startPublishStack = async (
  extraEnv: Record<string, string> = {},
): Promise<PublishStack> => {
  const table = await createTestTable();
  const eventBridge = await startEventBridgeEmulator();
  const env = {
    ...functionEnvironment({
      eventBridgeEndpoint: eventBridge.url,
      eventBusName: 'signing-events',
      ...AS_DEPLOYED,
    }),
    ...extraEnv,
  };
  const { handler } = await loadHandler('publish', env);
  const pump = await createStreamPump(table.client, table.endpoint, table.tableName, (event) =>
    handler(event, lambdaContext(60_000, { functionName: 'signinghub-finish-test-publish' })),
  );
  return {
    table,
    eventBridge,
    pump,
    stop: async () => {
      vi.unstubAllEnvs();
      await pump.stop();
      await eventBridge.close();
      await table.drop();
    },
  };
};
