import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompletionEventRelay,
  startCompletionEventRelay,
} from '../../dev/completion-event-relay.ts';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  type SigningHubSimulator,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import { publishCompletionEvents } from '../../lib/events/completion-events.ts';
import { silentLog } from '../../lib/logger.ts';
import { NO_METRICS } from '../../lib/metrics.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { writeStackState } from '../../ops/stack-state.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const COMMAND_TEST_MS = 120_000;

interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let table: TestTable;
let emulator: EventBridgeEmulator;
let simulator: SigningHubSimulator;
let relay: CompletionEventRelay;
let eventBridge: EventBridgeClient;
let env: NodeJS.ProcessEnv;

/**
 * The parts of npm start the commands use, in this process: the table (in the run's DynamoDB
 * Local), the simulator, the EventBridge emulator and the completion-event relay, with the
 * stack's state file saying where they are, as npm start writes it.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-operator-commands-'));
  table = await createTestTable();
  emulator = await startEventBridgeEmulator();
  simulator = await startSimulator({ autoCreatePackages: false });
  eventBridge = new EventBridgeClient({ endpoint: emulator.url });
  const eventsFile = join(dir, 'events.jsonl');
  relay = await startCompletionEventRelay({
    dynamoDb: table.client,
    endpoint: table.endpoint,
    tableName: table.tableName,
    eventBridge: emulator,
    publish: async (event) => {
      const { failedAt } = await publishCompletionEvents(
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
    functionEnvironment: functionEnvironment({
      tableName: table.tableName,
      dynamoDbEndpoint: table.endpoint,
      signingHubUrl: simulator.url,
      credentials: DEFAULT_SIMULATOR_CREDENTIALS,
      callbackSecret: 'not-used-by-the-commands',
    }),
    children: [],
  });
  // Nothing of the user's own settings: the local stack's state and made-up AWS keys only.
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    LOCAL_DIR: dir,
    LOCAL_ENV_FILE: join(dir, 'no.env'),
  };
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  eventBridge?.destroy();
  await emulator?.close();
  await simulator?.close();
  await table?.drop();
  await rm(dir, { recursive: true, force: true });
});

const npmRun = (script: string, ...args: string[]) =>
  new Promise<CommandResult>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args],
      { cwd: REPO, env, timeout: 100_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** The package as `npm run status -- <id> --json` shows it, once `until` holds. */
const statusUntil = async (
  packageId: number,
  until: (report: PackageReport) => boolean,
): Promise<PackageReport> => {
  for (let tries = 0; ; tries += 1) {
    const { code, stdout, stderr } = await npmRun('status', String(packageId), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = (JSON.parse(stdout) as { packages: PackageReport[] }).packages[0];
    if (report && until(report)) return report;
    if (tries > 30) throw new Error(`status never showed it: ${stdout}`);
    await delay(300);
  }
};

describe('the operator commands on the local stack', () => {
  it(
    'reconcile confirms a package with the simulator, and the stream publishes its event',
    async () => {
      simulator.createPackage(8001, ['alice@example.com']);
      simulator.setWorkflowStatus(8001, 'COMPLETED');
      await table.packages.markInProgress(8001, new Date());

      const result = await npmRun('reconcile', '8001');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        'package 8001: SigningHub says COMPLETED; recorded COMPLETED, final now (the stream ' +
          'publishes its completion event)\n',
      );
      const report = await statusUntil(8001, (shown) => shown.events.length > 0);
      expect(report.package?.status).toBe('COMPLETED');
      expect(report.events.map((event) => event.detailType)).toEqual(['SigningPackageCompleted']);
    },
    COMMAND_TEST_MS,
  );

  it(
    "republish sends a final package's completion event again, and status shows both",
    async () => {
      simulator.createPackage(8002, ['alice@example.com']);
      simulator.setWorkflowStatus(8002, 'DECLINED');
      await table.packages.markInProgress(8002, new Date());
      await table.packages.recordConfirmation(
        8002,
        { status: 'DECLINED', workflowStatus: 'DECLINED' },
        new Date(),
      );
      await statusUntil(8002, (shown) => shown.events.length === 1);

      const result = await npmRun('republish', '8002');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^package 8002 \(DECLINED\): SigningPackageDeclined sent again to bus local as event \S+\n$/,
      );
      const report = await statusUntil(8002, (shown) => shown.events.length === 2);
      expect(report.events.map((event) => event.detail)).toEqual([
        expect.objectContaining({ packageId: 8002, status: 'DECLINED' }),
        expect.objectContaining({ packageId: 8002, status: 'DECLINED' }),
      ]);
      expect(report.events[0]?.detail).toEqual(report.events[1]?.detail);
    },
    COMMAND_TEST_MS,
  );

  it(
    'republish refuses a package that is not final',
    async () => {
      await table.packages.markInProgress(8003, new Date());
      const result = await npmRun('republish', '8003');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^package 8003 is IN_PROGRESS, not final: /);
      expect(
        emulator.events.filter((event) => JSON.stringify(event.detail).includes('8003')),
      ).toEqual([]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'reconcile and republish answer --help with exit 0, and a wrong or missing package id or an unknown flag with one line and exit 2',
    async () => {
      for (const script of ['reconcile', 'republish']) {
        const usage = `usage: npm run ${script} -- <packageId> [--stage <stage> [--region <region>]] [--json] (--help for more)`;
        const wrong = await npmRun(script, '12x');
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toBe(`"12x" is not a package id (a positive integer); ${usage}\n`);
        const missing = await npmRun(script);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toBe(`a package id is missing; ${usage}\n`);
        const stray = await npmRun(script, '1', '2');
        expect(stray.code).toBe(2);
        expect(stray.stderr).toBe(`one package id only, not "2"; ${usage}\n`);
        const flag = await npmRun(script, '1', '--sage', 'prod');
        expect(flag.code).toBe(2);
        expect(flag.stderr).toBe(`unknown flag --sage; ${usage}\n`);
        const help = await npmRun(script, '--help');
        expect(help.code).toBe(0);
        expect(help.stderr).toBe('');
        expect(help.stdout).toContain(`usage: npm run ${script} -- <packageId>`);
        expect(help.stdout).toMatch(/--stage <stage> +act on this deployed stage/);
        expect(help.stdout).toContain(`examples:\n  npm run ${script} -- 1001`);
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'redrive says the local stack has no dead-letter queue',
    async () => {
      const result = await npmRun('redrive');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'the local stack has no dead-letter queue: npm start hands each signing event straight ' +
          'to finish (npm run event), so none is dead-lettered; add --stage <stage> to redrive a ' +
          "deployed stage's\n",
      );
    },
    COMMAND_TEST_MS,
  );
});
