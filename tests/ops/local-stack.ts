import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';
import { startCompletionEventRelay } from '../../dev/completion-event-relay.ts';
import { startEventBridgeEmulator } from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { publishStackEvents } from '../../lib/events/completion-events.ts';
import { silentLog } from '../../lib/logger.ts';
import { NO_METRICS } from '../../lib/metrics.ts';
import { archiveCommand } from '../../ops/archive-command.ts';
import { targetOpener } from '../../ops/open-target.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { reconcile } from '../../ops/reconcile-command.ts';
import { redriveCommand } from '../../ops/redrive-command.ts';
import { republish } from '../../ops/republish-command.ts';
import { writeStackState } from '../../ops/stack-state.ts';
import { status } from '../../ops/status-command.ts';
import { createTestTable } from '../support/dynamodb.ts';
import { run } from './command-run.ts';

export const COMMANDS = {
  status,
  reconcile,
  republish,
  redrive: redriveCommand,
  archive: archiveCommand,
} as const;

export interface LocalStackOptions {
  readonly simulator?: SimulatorOptions;
  /** Settings the stack's functions run with besides the usual ones (tenants, say). */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
}

/**
 * The parts of npm start the commands use, in this process: the table (in the run's DynamoDB
 * Local), the simulator, the EventBridge emulator and the completion-event relay, with the
 * stack's state file saying where they are, as npm start writes it.
 */
export const startLocalStack = async (options: LocalStackOptions = {}) => {
  const dir = await mkdtemp(join(tmpdir(), 'local-operator-commands-'));
  const table = await createTestTable();
  const emulator = await startEventBridgeEmulator();
  const simulator = await startSimulator({ autoCreatePackages: false, ...options.simulator });
  const eventBridge = new EventBridgeClient({ endpoint: emulator.url });
  const eventsFile = join(dir, 'events.jsonl');
  const relay = await startCompletionEventRelay({
    dynamoDb: table.client,
    endpoint: table.endpoint,
    tableName: table.tableName,
    eventBridge: emulator,
    publish: async (event) => {
      const { failedAt } = await publishStackEvents(
        event.Records,
        { eventBridge, busName: 'local', metrics: NO_METRICS },
        silentLog,
      );
      return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
    },
    eventsFile,
    checkpointFile: join(dir, 'stream-checkpoint.json'),
    onEvent: () => {},
  });
  await writeStackState(dir, {
    pid: process.pid,
    ready: true,
    startedAt: new Date().toISOString(),
    stage: 'local',
    region: 'eu-west-1',
    tableName: table.tableName,
    dynamoDbEndpoint: table.endpoint,
    signingHubUrl: simulator.url,
    simulatorUrl: simulator.url,
    eventBridgeUrl: emulator.url,
    eventBusName: 'local',
    eventsFile,
    awsCredentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    functionEnvironment: {
      ...functionEnvironment({
        tableName: table.tableName,
        dynamoDbEndpoint: table.endpoint,
        signingHubUrl: simulator.url,
        credentials: DEFAULT_SIMULATOR_CREDENTIALS,
        callbackSecret: 'not-used-by-the-commands',
      }),
      ...options.functionEnvironment,
    },
    children: [],
  });
  // Nothing of the user's own settings: the local stack's state and made-up AWS keys only.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    LOCAL_DIR: dir,
    LOCAL_ENV_FILE: join(dir, 'no.env'),
  };

  /** The command `npm run <script>` runs, in this process, on the stack npm start published. */
  const ops = (script: keyof typeof COMMANDS, ...args: string[]) =>
    run((streams) => COMMANDS[script](args, targetOpener(env), streams));

  /** The package as `npm run status -- <args> --json` shows it, once `until` holds. */
  const statusUntil = async (
    args: readonly string[],
    until: (report: PackageReport) => boolean,
  ): Promise<PackageReport> => {
    for (let tries = 0; ; tries += 1) {
      const { code, stdout, stderr } = await ops('status', ...args, '--json');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = (JSON.parse(stdout) as { packages: PackageReport[] }).packages[0];
      if (report && until(report)) return report;
      if (tries > 30) throw new Error(`status never showed it: ${stdout}`);
      await delay(300);
    }
  };

  return {
    dir,
    table,
    emulator,
    simulator,
    env,
    ops,
    statusUntil,
    stop: async () => {
      await relay.stop();
      eventBridge.destroy();
      await emulator.close();
      await simulator.close();
      await table.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
