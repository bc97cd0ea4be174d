import { join } from 'node:path';
import type { LocalStackState, StackTenant } from '../../dev/local-tenants.ts';
import type { SigningHubSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import { writeStackState } from '../../ops/stack-state.ts';
import type { TestTable } from '../support/dynamodb.ts';

/**
 * What the dev commands read of the stack, written to `dir` as npm start writes it: the
 * simulator, the table and the callback URLs (no functions run). Answers the environment to run
 * the commands with, which finds the state file and no .env.
 */
export const writeCommandStack = async (
  dir: string,
  facts: {
    readonly simulator: SigningHubSimulator;
    readonly table: TestTable;
    readonly callbackUrl: string;
    readonly tenants?: readonly StackTenant[];
  },
): Promise<NodeJS.ProcessEnv> => {
  const state: Partial<LocalStackState> = {
    pid: process.pid,
    ready: true,
    signingHubUrl: facts.simulator.url,
    simulatorUrl: facts.simulator.url,
    callbackUrl: facts.callbackUrl,
    region: 'eu-west-1',
    dynamoDbEndpoint: facts.table.endpoint,
    tableName: facts.table.tableName,
    awsCredentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    eventsFile: join(dir, 'events.jsonl'),
    functionEnvironment: {},
    tenants: facts.tenants ?? [],
  };
  await writeStackState(dir, state);
  return { PATH: process.env.PATH, HOME: dir, LOCAL_DIR: dir, LOCAL_ENV_FILE: join(dir, 'no.env') };
};
