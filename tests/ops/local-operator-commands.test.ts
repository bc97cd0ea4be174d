import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEmulator } from '../../harness/eventbridge-emulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import { onLocalStack } from '../../ops/local-target.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { NO_LOCAL_ARCHIVE_QUEUES, NO_LOCAL_QUEUES } from '../../ops/target.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { npmRun } from './command-run.ts';
import { COMMANDS, type LocalStack, startLocalStack } from './local-stack.ts';

const COMMAND_TEST_MS = 120_000;

let stack: LocalStack;
let table: TestTable;
let emulator: EventBridgeEmulator;
let simulator: SigningHubSimulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startLocalStack();
  ({ table, emulator, simulator, env } = stack);
}, 60_000);

afterAll(() => stack?.stop());

const ops: LocalStack['ops'] = (script, ...args) => stack.ops(script, ...args);

/** The package as `npm run status -- <id> --json` shows it, once `until` holds. */
const statusUntil = (
  packageId: number,
  until: (report: PackageReport) => boolean,
): Promise<PackageReport> => stack.statusUntil([String(packageId)], until);

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
        const usage = `usage: npm run ${script} -- <packageId> [--tenant <id>] [--stage <stage> [--region <region>]] [--json] (--help for more)`;
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

  it("names itself, and says how to put a tenant's package in the table", async () => {
    await withState({}, async (local) => {
      expect(local.where).toBe('the local stack');
      expect(local.hints.unknownPackage(8199, 'acme')).toBe(
        'package 8199 of tenant acme has nothing in the table yet: check the package id and ' +
          '--tenant, or send a signing event for it with its tenant',
      );
    });
  });

  it('has no queues, and no simulator to ask where none runs', async () => {
    await withState({ simulatorUrl: undefined }, async (local) => {
      expect(() => local.queues('signing-events')).toThrow(NO_LOCAL_QUEUES);
      expect(() => local.queues('archive')).toThrow(NO_LOCAL_ARCHIVE_QUEUES);
      expect(local.reports.simulator).toBeUndefined();
      expect(local.reports.listing).toBe('all');
    });
  });

  it("says which of npm start's settings is bad when it reaches SigningHub with them", async () => {
    const state = await requireRunningStack(env);
    const functionEnvironment = { ...state.functionEnvironment, SIGNINGHUB_TIMEOUT_MS: 'soon' };
    await withState({ functionEnvironment }, async (local) => {
      await expect(local.signingHub('default')).rejects.toThrow(
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
