import { vi } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator, SimulatorOptions } from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';

export const TEST_CALLBACK_SECRET = 'cb-secret-0123456789abcdef';

export interface FunctionStack<Module> {
  readonly table: TestTable;
  readonly simulator: SigningHubSimulator;
  readonly env: Record<string, string>;
  readonly module: Module;
  stop(): Promise<void>;
}

/**
 * A real handler module (functions/<name>.ts), configured through its environment against a
 * fresh table in DynamoDB Local and a SigningHub simulator on loopback.
 */
export const startFunctionStack = async <Module>(
  load: () => Promise<Module>,
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<FunctionStack<Module>> => {
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
    CALLBACK_SECRET: TEST_CALLBACK_SECRET,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const module = await load();
  return {
    table,
    simulator,
    env,
    module,
    stop: async () => {
      vi.unstubAllEnvs();
      await simulator.close();
      await table.drop();
    },
  };
};
