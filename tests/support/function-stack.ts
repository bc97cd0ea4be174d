import { vi } from 'vitest';
import { type FunctionSettings, functionEnvironment } from '../../harness/function-env.ts';
import { type HandlerModules, importHandler } from '../../harness/handler-modules.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type {
  SigningHubSimulator,
  SimulatorCredentials,
  SimulatorOptions,
} from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';

export const TEST_CALLBACK_SECRET = 'cb-secret-0123456789abcdef';

/** POWERTOOLS_SERVICE_NAME in every stack: the service their log lines and metrics name. */
export const TEST_SERVICE_NAME = 'signinghub-finish-test';

/** What Lambda and the template set: a cold start to count, the stage in the service name. */
export const AS_DEPLOYED = {
  initializationType: 'on-demand',
  serviceName: TEST_SERVICE_NAME,
  metricsDisabled: false,
  logLevel: 'DEBUG',
} as const satisfies FunctionSettings;

/** Loads a handler module afresh, as a cold start does, with `env` as its environment. */
export const loadHandler = <Name extends keyof HandlerModules>(
  name: Name,
  env: Record<string, string>,
): Promise<HandlerModules[Name]> => {
  for (const [variable, value] of Object.entries(env)) vi.stubEnv(variable, value);
  vi.resetModules();
  return importHandler(name);
};

/**
 * A function's environment in the tests: the table, the default enterprise of the simulator at
 * `signingHubUrl` with its credentials, the test callback secret, as deployed; then `extra`.
 */
export const testEnvironment = (
  table: Pick<TestTable, 'tableName' | 'endpoint'>,
  signingHubUrl: string,
  extra: Record<string, string> = {},
  settings: Partial<FunctionSettings> = {},
): Record<string, string> => ({
  ...functionEnvironment({
    tableName: table.tableName,
    dynamoDbEndpoint: table.endpoint,
    signingHubUrl,
    credentials: DEFAULT_SIMULATOR_CREDENTIALS,
    // Long enough for a busy machine; the tests of a timeout script a request that hangs.
    signingHubTimeoutMs: 2_000,
    callbackSecret: TEST_CALLBACK_SECRET,
    ...AS_DEPLOYED,
    ...settings,
  }),
  ...extra,
});

/** An enterprise's admin account in the simulator, named after the tenant. */
export const enterpriseAccount = (name: string): SimulatorCredentials => ({
  clientId: `${name}-client`,
  clientSecret: `${name}-client-secret`,
  username: `admin@${name}.example`,
  password: `${name}-password`,
});

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
export const startFunctionStack = async <Name extends keyof HandlerModules>(
  name: Name,
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<FunctionStack<HandlerModules[Name]>> => {
  const table = await createTestTable();
  const simulator = await startSimulator(simulatorOptions);
  const env = testEnvironment(table, simulator.url, extraEnv);
  const module = await loadHandler(name, env);
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
