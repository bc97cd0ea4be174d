import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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
import { onLocalStack } from '../../ops/local-target.ts';
import { targetOpener } from '../../ops/open-target.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { reconcile } from '../../ops/reconcile-command.ts';
import { redriveCommand } from '../../ops/redrive-command.ts';
import { republish } from '../../ops/republish-command.ts';
import { requireRunningStack, type StackState, writeStackState } from '../../ops/stack-state.ts';
import { status } from '../../ops/status-command.ts';
import { NO_LOCAL_QUEUES } from '../../ops/target.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { npmRun, run } from './command-run.ts';

const COMMAND_TEST_MS = 120_000;

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

const COMMANDS = { status, reconcile, republish, redrive: redriveCommand } as const;

/** The command `npm run <script>` runs, in this process, on the stack npm start published. */
const ops = (script: keyof typeof COMMANDS, ...args: string[]) =>
  run((streams) => COMMANDS[script](args, targetOpener(env), streams));

/** The package as `npm run status -- <id> --json` shows it, once `until` holds. */
const statusUntil = async (
  packageId: number,
  until: (report: PackageReport) => boolean,
): Promise<PackageReport> => {
  for (let tries = 0; ; tries += 1) {
    const { code, stdout, stderr } = await ops('status', String(packageId), '--json');
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

      const result = await ops('reconcile', '8001');

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

      const result = await ops('republish', '8002');

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
      // The list names the event's type once, with how many were sent.
      const list = await ops('status');
      expect(list.stdout).toMatch(
        /^8002 +DECLINED +DECLINED +0 +- +SigningPackageDeclined ×2 +\d/m,
      );
    },
    COMMAND_TEST_MS,
  );

  it(
    'republish refuses a package that is not final',
    async () => {
      await table.packages.markInProgress(8003, new Date());
      const result = await ops('republish', '8003');
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
      for (const script of ['reconcile', 'republish'] as const) {
        const usage = `usage: npm run ${script} -- <packageId> [--stage <stage> [--region <region>]] [--json] (--help for more)`;
        const wrong = await ops(script, '12x');
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toBe(`"12x" is not a package id (a positive integer); ${usage}\n`);
        const missing = await ops(script);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toBe(`a package id is missing; ${usage}\n`);
        const stray = await ops(script, '1', '2');
        expect(stray.code).toBe(2);
        expect(stray.stderr).toBe(`one package id only, not "2"; ${usage}\n`);
        const flag = await ops(script, '1', '--sage', 'prod');
        expect(flag.code).toBe(2);
        expect(flag.stderr).toBe(`unknown flag --sage; ${usage}\n`);
        const help = await ops(script, '--help');
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
    'every ops command run by npm exits 0 on --help and 2 on an unknown flag, naming it in one line',
    async () => {
      for (const script of Object.keys(COMMANDS)) {
        const help = await npmRun(env, script, '--help');
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${script} -- `));
        const flag = await npmRun(env, script, '--sage', 'prod');
        expect(flag.code).toBe(2);
        expect(flag.stdout).toBe('');
        expect(flag.stderr).toMatch(
          new RegExp(`^unknown flag --sage; usage: npm run ${script} -- .*\\n$`),
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'redrive says the local stack has no dead-letter queue',
    async () => {
      const result = await ops('redrive');
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

describe('the local stack as a target', () => {
  const withState = async <T>(
    change: Partial<StackState>,
    work: Parameters<typeof onLocalStack<T>>[1],
  ) => onLocalStack({ ...(await requireRunningStack(env)), ...change }, work);

  it('answers status in JSON with its stage, region and table, and no stack', async () => {
    await table.packages.markInProgress(8101, new Date());
    const { stdout } = await ops('status', '8101', '--json');
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['stage', 'region', 'tableName', 'packages', 'total']);
    expect(json).toMatchObject({
      stage: 'local',
      region: 'eu-west-1',
      tableName: table.tableName,
      total: 1,
    });
  });

  it('lists final packages too: the local table is scanned', async () => {
    const { stdout } = await ops('status', '--limit', '100');
    expect(stdout).toMatch(/^8001 +COMPLETED /m);
    expect(stdout).not.toContain('open packages only');
  });

  it('says how to put a package in the table it has nothing of', async () => {
    expect(await ops('status', '8199')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'package 8199 has nothing in the table yet: send a signing event with npm run event -- ' +
        '8199 <signerEmail>\n',
    });
  });

  it('says how to make a first package, with the simulator or without it', async () => {
    const empty = await createTestTable();
    try {
      const hint = (simulatorUrl: string | undefined) =>
        withState({ tableName: empty.tableName, simulatorUrl }, async (local) => {
          expect((await local.reports.reader.allPackages()).length).toBe(0);
          return local.hints.noPackages;
        });
      expect(await hint(simulator.url)).toBe(
        'no packages yet: create one with npm run simulator -- package 1001 --signers ' +
          'alice@example.com,bob@example.com, then npm run event -- 1001 alice@example.com',
      );
      expect(await hint(undefined)).toBe(
        'no packages yet: send a signing event with npm run event -- <packageId> <signerEmail>',
      );
    } finally {
      await empty.drop();
    }
  });

  it('has no queues, and no simulator to ask where none runs', async () => {
    await withState({ simulatorUrl: undefined }, async (local) => {
      expect(() => local.queues()).toThrow(NO_LOCAL_QUEUES);
      expect(local.reports.simulator).toBeUndefined();
      expect(local.reports.listing).toBe('all');
    });
  });

  it("says which of npm start's settings is bad when it reaches SigningHub with them", async () => {
    const state = await requireRunningStack(env);
    const functionEnvironment = { ...state.functionEnvironment, SIGNINGHUB_TIMEOUT_MS: 'soon' };
    await withState({ functionEnvironment }, async (local) => {
      await expect(local.signingHub()).rejects.toThrow(
        /^the local stack \(npm start\) has a bad setting: SIGNINGHUB_TIMEOUT_MS .*; fix it and try again$/,
      );
    });
  });

  it('sends completion events through its EventBridge emulator, to its bus, with one client', async () => {
    await withState({}, async (local) => {
      const first = await local.completionBus();
      const second = await local.completionBus();
      expect(first.busName).toBe('local');
      expect(second.eventBridge).toBe(first.eventBridge);
      expect(await first.eventBridge.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1' });
    });
  });
});
