import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../harness/dynamodb-local.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../../harness/simulator/types.ts';
import { createTable } from '../../../harness/table.ts';
import { signingEventBody, sqsEvent, sqsRecord } from '../../support/factories.ts';
import { type PlainItem, plainItem } from '../../support/table-items.ts';
import type { FinishModule } from '../handlers.ts';
import { type ObserverOptions, observeSigningHub } from '../signinghub-observer.ts';

export interface ReproStack {
  readonly simulator: SigningHubSimulator;
  /** Watches the finish function's exchanges with SigningHub (see signinghub-observer.ts). */
  observe(options: Omit<ObserverOptions, 'baseUrl'>): void;
  /** The real functions/finish.ts, configured against this stack. */
  finish(): Promise<FinishModule>;
  signingEvent(packageId: number, signerEmail: string): SQSEvent;
  finishItem(packageId: number, signerEmail: string): Promise<PlainItem | undefined>;
  stopDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  close(): Promise<void>;
}

/** DynamoDB Local (files kept across a restart), the simulator and the finish function's env. */
export const startReproStack = async (signingHubTimeoutMs = 300): Promise<ReproStack> => {
  const dbPath = await mkdtemp(join(tmpdir(), 'signinghub-repro-'));
  let dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dbPath });
  const simulator = await startSimulator();
  const credentials = DEFAULT_SIMULATOR_CREDENTIALS;
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    TABLE_NAME: 'repro',
    DYNAMODB_ENDPOINT: dynamoDb.endpoint,
    SIGNINGHUB_BASE_URL: simulator.url,
    SIGNINGHUB_CLIENT_ID: credentials.clientId,
    SIGNINGHUB_CLIENT_SECRET: credentials.clientSecret,
    SIGNINGHUB_USERNAME: credentials.username,
    SIGNINGHUB_PASSWORD: credentials.password,
    SIGNINGHUB_TIMEOUT_MS: String(signingHubTimeoutMs),
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint });
  await createTable(client, 'repro');
  let uninstall: (() => void) | undefined;
  return {
    simulator,
    observe: (options) => {
      uninstall = observeSigningHub({ ...options, baseUrl: simulator.url }).uninstall;
    },
    finish: async () => (await import('../../../functions/finish.ts')) as FinishModule,
    signingEvent: (packageId, signerEmail) =>
      sqsEvent(sqsRecord(signingEventBody({ packageId, signerEmail }))),
    finishItem: async (packageId, signerEmail) => {
      const { Item: item } = await client.send(
        new GetItemCommand({
          TableName: 'repro',
          Key: { pk: { S: `PACKAGE#${packageId}` }, sk: { S: `FINISH#${signerEmail}` } },
          ConsistentRead: true,
        }),
      );
      return item ? plainItem(item) : undefined;
    },
    stopDynamoDb: () => dynamoDb.stop(),
    startDynamoDb: async () => {
      dynamoDb = await startDynamoDbLocal({ dbPath, port: dynamoDb.port });
    },
    close: async () => {
      uninstall?.();
      client.destroy();
      await simulator.close();
      await dynamoDb.stop();
      await rm(dbPath, { recursive: true, force: true });
    },
  };
};
