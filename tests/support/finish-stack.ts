import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { vi } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../local/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator, SimulatorOptions } from '../../local/simulator/types.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';
import { lambdaContext } from './factories.ts';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface FinishStack {
  readonly table: TestTable;
  readonly simulator: SigningHubSimulator;
  readonly env: Record<string, string>;
  invoke(event: SQSEvent, remainingMs?: number): Promise<SQSBatchResponse>;
  stop(): Promise<void>;
}

/**
 * The real finish handler module, configured through its environment against a fresh table in
 * DynamoDB Local and a SigningHub simulator on loopback.
 */
export const startFinishStack = async (
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<FinishStack> => {
  const table = await createTestTable();
  const simulator = await startSimulator(simulatorOptions);
  const credentials = DEFAULT_SIMULATOR_CREDENTIALS;
  const env: Record<string, string> = {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SIGNINGHUB_BASE_URL: simulator.url,
    SIGNINGHUB_CLIENT_ID: credentials.clientId,
    SIGNINGHUB_CLIENT_SECRET: credentials.clientSecret,
    SIGNINGHUB_USERNAME: credentials.username,
    SIGNINGHUB_PASSWORD: credentials.password,
    SIGNINGHUB_TIMEOUT_MS: '500',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const { handler } = (await import('../../functions/finish.ts')) as { handler: Handler };
  return {
    table,
    simulator,
    env,
    invoke: (event, remainingMs = 60_000) => handler(event, lambdaContext(remainingMs)),
    stop: async () => {
      vi.unstubAllEnvs();
      await simulator.close();
      await table.drop();
    },
  };
};
