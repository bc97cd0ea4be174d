import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../harness/dynamodb-local.ts';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../harness/function-env.ts';
import { localAws } from '../harness/local-aws.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../harness/simulator/types.ts';
import { createTable } from '../harness/table.ts';
import { type DynamoDbCounter, startDynamoDbCounter } from './dynamodb-counter.ts';
import { findDynamoDbLocalPid } from './process-cpu.ts';

/** What every bench process gets: the SDK needs a region and credentials, none of them real. */
export const AWS_ENV = localAws('us-east-1').environment;

/**
 * What Lambda tells a bench function about itself (Powertools puts it on every log line), and
 * the EMF metrics pinned on as deployed, whatever POWERTOOLS_DEV the shell has: ours is measured
 * with its metrics.
 */
export const benchFunctionEnv = (name: string): Record<string, string> =>
  functionEnvironment({
    lambdaFunctionName: `signinghub-finish-bench${name === '' ? '' : `-${name}`}`,
    serviceName: 'signinghub-finish-bench',
    initializationType: 'on-demand',
    metricsDisabled: false,
  });

export interface BenchServices {
  readonly dynamoDbLocal: DynamoDbLocal;
  /** The JVM's process id, to read its CPU time; undefined where /proc is not available. */
  readonly dynamoDbLocalPid: number | undefined;
  /** Talks to DynamoDB Local directly, for setup: its requests are not counted. */
  readonly admin: DynamoDBClient;
  readonly counter: DynamoDbCounter;
  readonly simulator: SigningHubSimulator;
  /** Where `publish` puts its completion events. */
  readonly eventBridge: EventBridgeEmulator;
  readonly tableName: string;
  /**
   * The environment a handler needs to reach these services through the counter, with one table
   * for every handler as in AWS: their package ids never overlap. (With a table each, DynamoDB
   * Local's cost per write differed by table, up to fivefold between identical handlers.)
   */
  readonly handlerEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export const startBenchServices = async (): Promise<BenchServices> => {
  Object.assign(process.env, localAws('us-east-1').missingFrom(process.env));
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
    const eventBridge = await startEventBridgeEmulator();
    stops.push(() => eventBridge.close());
    return {
      dynamoDbLocal,
      dynamoDbLocalPid: findDynamoDbLocalPid(dynamoDbLocal.port),
      admin,
      counter,
      simulator,
      eventBridge,
      tableName,
      handlerEnv: {
        ...AWS_ENV,
        ...functionEnvironment({
          tableName,
          dynamoDbEndpoint: counter.endpoint,
          signingHubUrl: simulator.url,
          credentials: DEFAULT_SIMULATOR_CREDENTIALS,
          eventBusName: 'bench',
          eventBridgeEndpoint: eventBridge.url,
        }),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
