import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../harness/dynamodb-local.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../harness/simulator/types.ts';
import { createTable } from '../harness/table.ts';
import { type DynamoDbCounter, startDynamoDbCounter } from './dynamodb-counter.ts';
import { findDynamoDbLocalPid } from './process-cpu.ts';

/** What every bench process gets: the SDK needs a region and credentials, none of them real. */
export const AWS_ENV: Readonly<Record<string, string>> = Object.freeze({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});

export interface BenchServices {
  readonly dynamoDbLocal: DynamoDbLocal;
  /** The JVM's process id, to read its CPU time; undefined where /proc is not available. */
  readonly dynamoDbLocalPid: number | undefined;
  /** Talks to DynamoDB Local directly, for setup: its requests are not counted. */
  readonly admin: DynamoDBClient;
  readonly counter: DynamoDbCounter;
  readonly simulator: SigningHubSimulator;
  /**
   * The environment a handler needs to reach these services through the counter, with one table
   * for every handler as in AWS: their package ids never overlap. (With a table each, DynamoDB
   * Local's cost per write differed by table, up to fivefold between identical handlers.)
   */
  readonly handlerEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export const startBenchServices = async (): Promise<BenchServices> => {
  for (const [name, value] of Object.entries(AWS_ENV)) process.env[name] ??= value;
  const dynamoDbLocal = await startDynamoDbLocal();
  const stops: (() => Promise<void>)[] = [() => dynamoDbLocal.stop()];
  const stop = async () => {
    for (const each of stops.reverse()) await each().catch(() => undefined);
  };
  try {
    const admin = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint });
    stops.push(async () => admin.destroy());
    const tableName = `bench-${randomUUID()}`;
    await createTable(admin, tableName);
    const counter = await startDynamoDbCounter(dynamoDbLocal.endpoint);
    stops.push(() => counter.stop());
    const simulator = await startSimulator();
    stops.push(() => simulator.close());
    const credentials = DEFAULT_SIMULATOR_CREDENTIALS;
    return {
      dynamoDbLocal,
      dynamoDbLocalPid: findDynamoDbLocalPid(dynamoDbLocal.port),
      admin,
      counter,
      simulator,
      handlerEnv: {
        ...AWS_ENV,
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: counter.endpoint,
        SIGNINGHUB_BASE_URL: simulator.url,
        SIGNINGHUB_CLIENT_ID: credentials.clientId,
        SIGNINGHUB_CLIENT_SECRET: credentials.clientSecret,
        SIGNINGHUB_USERNAME: credentials.username,
        SIGNINGHUB_PASSWORD: credentials.password,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
