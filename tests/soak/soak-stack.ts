import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../harness/dynamodb-local.ts';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import { localAws } from '../../harness/local-aws.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator, SimulatorCredentials } from '../../harness/simulator/types.ts';
import { createTable } from '../../harness/table.ts';
import type { Cleanups } from './cleanups.ts';
import type { SoakOptions } from './soak-options.ts';
import type { Workload } from './workload.ts';

export interface SoakStackOptions {
  readonly options: SoakOptions;
  readonly workload: Workload;
  readonly credentials: SimulatorCredentials;
  readonly callbackSecret: string;
  /** Everything started is registered here, to be stopped when the run ends. */
  readonly cleanups: Cleanups;
}

/** The services the soak's functions run against, with the table made and the workload scripted. */
export interface SoakStack {
  readonly tableName: string;
  /** DynamoDB Local's endpoint, the same across restarts. */
  readonly dynamoDbEndpoint: string;
  readonly client: DynamoDBClient;
  readonly simulator: SigningHubSimulator;
  readonly eventBridge: EventBridgeEmulator;
  /** Stops DynamoDB Local, says so through `stopped`, and starts it again on its files and port. */
  restartDynamoDb(stopped: () => void): Promise<void>;
}

/** Sets variables for the run and puts the old values back afterwards. */
const setEnvironment = (variables: Record<string, string>): (() => void) => {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};

const dbDirectory = async (wanted: string | undefined): Promise<string> => {
  if (wanted !== undefined) return wanted;
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
};

/** Comes before the handlers are loaded: they read the environment set here when imported. */
export const startSoakStack = async ({
  options,
  workload,
  credentials,
  callbackSecret,
  cleanups,
}: SoakStackOptions): Promise<SoakStack> => {
  const tableName = `soak-${options.seed}`;
  const dbPath = await mkdtemp(join(await dbDirectory(options.dbDir), 'signinghub-soak-'));
  cleanups.add(() => rm(dbPath, { recursive: true, force: true }));
  let dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dbPath });
  cleanups.add(() => dynamoDb.stop());
  const simulator = await startSimulator({ credentials, autoCreatePackages: false });
  cleanups.add(() => simulator.close());
  const eventBridge = await startEventBridgeEmulator();
  cleanups.add(() => eventBridge.close());

  cleanups.add(
    setEnvironment({
      ...localAws('us-east-1').missingFrom(process.env),
      ...functionEnvironment({
        tableName,
        dynamoDbEndpoint: dynamoDb.endpoint,
        signingHubUrl: simulator.url,
        credentials,
        signingHubTimeoutMs: options.signingHubTimeoutMs,
        callbackSecret,
        eventBusName: 'soak-completions',
        eventBridgeEndpoint: eventBridge.url,
        reconcileAfterSeconds: options.reconcileAfterSeconds,
        logLevel: 'DEBUG',
      }),
    }),
  );
  const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint });
  cleanups.add(() => client.destroy());
  await createTable(client, tableName);

  for (const { packageId, signers } of workload.packages) {
    simulator.createPackage(packageId, [...signers]);
  }
  for (const [packageId, responses] of workload.finishScripts) {
    simulator.script(packageId, 'finish', ...responses);
  }
  for (const [packageId, responses] of workload.workflowScripts) {
    simulator.script(packageId, 'workflow', ...responses);
  }

  return {
    tableName,
    dynamoDbEndpoint: dynamoDb.endpoint,
    client,
    simulator,
    eventBridge,
    restartDynamoDb: async (stopped) => {
      await dynamoDb.stop();
      stopped();
      dynamoDb = await startDynamoDbLocal({ dbPath, port: dynamoDb.port });
    },
  };
};
