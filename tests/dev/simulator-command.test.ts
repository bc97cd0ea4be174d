import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SigningHubSimulator,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import { finish, type Receiver, startReceiver, tokenFor } from '../harness/simulator-client.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { writeCommandStack } from './command-stack.ts';
import { npmRunner } from './npm-run.ts';

// `npm run simulator`, `npm run event` and `npm start` as a user types them, against a real
// simulator and table that a state file names, as npm start writes it (no functions run here).

const COMMAND_TEST_MS = 120_000;
const USAGE =
  'usage: npm run simulator -- package <packageId> --signers a@x.com,b@x.com | callback ' +
  'query|webhook|report|off | fail <packageId> <status>|timeout|drop|off [--times N] | ' +
  'callback-url [packageId]; each [--tenant <id>] (--help for more)';

let dir: string;
let table: TestTable;
let simulator: SigningHubSimulator;
let receiver: Receiver;
let env: NodeJS.ProcessEnv;
const npmRun = npmRunner(() => env);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-commands-'));
  table = await createTestTable();
  receiver = await startReceiver();
  simulator = await startSimulator({ autoCreatePackages: false });
  // What these commands read of the stack; no functions run here.
  env = await writeCommandStack(dir, { simulator, table, callbackUrl: receiver.url });
}, 60_000);

afterAll(async () => {
  await simulator?.close();
  await receiver?.close();
  await table?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The status of each of the next `n` finish requests for the package, as SigningHub answers. */
const nextFinishes = async (packageId: number, n: number): Promise<number[]> => {
  const token = await tokenFor(simulator, 'alice@example.com');
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) statuses.push((await finish(simulator, packageId, token)).status);
  return statuses;
};

describe('npm run simulator -- package', () => {
  it(
    'says who confirms the package when callbacks are off, and the mode when they are on',
    async () => {
      simulator.setCallback(undefined);
      const off = await npmRun('simulator', 'package', '9101', '--signers', 'alice@example.com');
      const on = await npmRun('simulator', 'callback', 'webhook');
      const withCallback = await npmRun('simulator', 'package', '9102', '--signers', 'a@x.com');
      const offAgain = await npmRun('simulator', 'callback', 'off');

      expect(off.stderr).toBe('');
      expect(off.stdout).toBe(
        'package 9101 created in the simulator with the signers alice@example.com (in this ' +
          "order); when the last one has finished, the simulator's callbacks are off, so nothing " +
          'calls back: npm run reconcile -- 9101 confirms the package with SigningHub at once ' +
          '(the reconciler does it on its 15-minute schedule); npm run simulator -- callback ' +
          'query turns callbacks on\nnext: npm run event -- 9101 alice@example.com\n',
      );
      expect(on.code).toBe(0);
      expect(withCallback.stdout).toContain(
        'when the last one has finished, the simulator calls the callback (webhook)',
      );
      expect(withCallback.stdout).not.toContain('callbacks are off');
      expect(offAgain.stdout).toContain(
        'the simulator no longer calls the callback: npm run reconcile',
      );
      expect(simulator.getPackage(9101)?.signers).toEqual([
        { email: 'alice@example.com', processStatus: 'UN_PROCESSED' },
      ]);
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run simulator -- fail', () => {
  it(
    'makes the next finish request fail for good with 403, and says FAILED comes next',
    async () => {
      simulator.createPackage(9103, ['alice@example.com', 'bob@example.com']);

      const result = await npmRun('simulator', 'fail', '9103', '403');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        'package 9103: the simulator answers its next finish request with 403, then answers as ' +
          'usual; ' +
          'npm run event -- 9103 alice@example.com will show FAILED (a 403 is final: the ' +
          'function does not send it again)\n',
      );
      const token = await tokenFor(simulator, 'alice@example.com');
      const failed = await finish(simulator, 9103, token);
      expect(failed.status).toBe(403);
      expect(await failed.json()).toEqual({
        Message: 'Scripted failure (npm run simulator -- fail 9103 403)',
      });
      expect(await nextFinishes(9103, 1)).toEqual([200]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'makes a run of 500s, then lets the finish through',
    async () => {
      simulator.createPackage(9104, ['alice@example.com']);

      const result = await npmRun('simulator', 'fail', '9104', '500', '--times', '4');

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('will show RETRYING the first time');
      expect(await nextFinishes(9104, 5)).toEqual([500, 500, 500, 500, 200]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'makes a finish request go unanswered, cuts one, and takes queued failures away with off',
    async () => {
      simulator.createPackage(9105, ['alice@example.com']);
      const token = await tokenFor(simulator, 'alice@example.com');

      const hang = await npmRun('simulator', 'fail', '9105', 'timeout');
      const hanging = fetch(`${simulator.url}/v3/packages/9105/finish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(300),
      });
      await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
      const drop = await npmRun('simulator', 'fail', '9105', 'drop');
      await expect(finish(simulator, 9105, token)).rejects.toThrow();
      await npmRun('simulator', 'fail', '9105', '503', '--times', '3');
      const off = await npmRun('simulator', 'fail', '9105', 'off');
      const offAgain = await npmRun('simulator', 'fail', '9105', 'off');

      expect(hang.stdout).toContain(
        'leaves its next finish request unanswered (the function gives each up after 10 s',
      );
      expect(drop.stdout).toContain('cuts the connection of its next finish request');
      expect(
        simulator.calls.filter((call) => call.packageId === 9105).map((call) => call.status),
      ).toEqual(['hang', 'drop']);
      expect(off.stdout).toBe(
        'package 9105: 3 scripted answers removed; the simulator answers as usual\n',
      );
      expect(offAgain.stdout).toBe(
        'package 9105: no scripted answers were queued; the simulator answers as usual\n',
      );
      expect(await nextFinishes(9105, 1)).toEqual([200]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'refuses a package the simulator does not have, and a wrong failure or flag',
    async () => {
      const unknown = await npmRun('simulator', 'fail', '9199', '500');
      const status = await npmRun('simulator', 'fail', '9199', '302');
      const missing = await npmRun('simulator', 'fail', '9199');
      const signers = await npmRun('simulator', 'fail', '9199', '500', '--signers', 'a@x.com');
      const times = await npmRun('simulator', 'package', '9199', '--times', '2');
      const flag = await npmRun('simulator', 'fail', '9199', '500', '--time', '2');

      expect(unknown).toMatchObject({ code: 1, stdout: '' });
      expect(unknown.stderr).toBe(
        'package 9199 is not in the simulator: create it first with npm run simulator -- ' +
          'package 9199 --signers alice@example.com,bob@example.com\n',
      );
      expect(status).toMatchObject({ code: 2 });
      expect(status.stderr).toBe(
        `"302" is not a failure: give an HTTP status from 400 to 599, timeout, drop, or off; ${USAGE}\n`,
      );
      expect(missing.stderr).toMatch(/^the failure is missing: /);
      expect(signers).toMatchObject({ code: 2, stderr: `--signers goes with package; ${USAGE}\n` });
      expect(times).toMatchObject({ code: 2, stderr: `--times goes with fail; ${USAGE}\n` });
      expect(flag).toMatchObject({ code: 2, stderr: `unknown flag --time; ${USAGE}\n` });
      expect(simulator.getPackage(9199)).toBeUndefined();
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run simulator -- callback-url', () => {
  it(
    'prints the callback URL with its secret and curl lines for the package',
    async () => {
      const result = await npmRun('simulator', 'callback-url', '9106');
      const newest = await npmRun('simulator', 'callback-url');

      expect(result.stderr).toBe('');
      const lines = result.stdout.split('\n');
      expect(lines[0]).toBe(receiver.url);
      const curls = lines.filter((line) => line.startsWith('  curl '));
      expect(curls).toHaveLength(3);
      expect(curls[0]).toContain(`${receiver.url}?package_id=9106`);
      expect(curls[1]).toContain('{"package_id":9106,');
      expect(curls[2]).toContain('<DocumentID>9106</DocumentID>');
      // No package in the table yet: the lines name an example id.
      expect(newest.stdout).toContain('?package_id=1001');
    },
    COMMAND_TEST_MS,
  );
});

describe('--help and wrong words', () => {
  it(
    'simulator, event and start answer --help with exit 0 and a wrong word with exit 2',
    async () => {
      const simulatorHelp = await npmRun('simulator', '--help');
      const eventHelp = await npmRun('event', '--help');
      const startHelp = await npmRun('start', '--help');
      const unknownWord = await npmRun('simulator', 'explode');
      const eventFlag = await npmRun('event', '1001', '--signer', 'a@x.com');
      const eventId = await npmRun('event', 'x1');
      const startFlag = await npmRun('start', '--port', '3000');

      expect(simulatorHelp).toMatchObject({ code: 0, stderr: '' });
      expect(simulatorHelp.stdout).toMatch(
        /\n {2}fail <packageId> <answer> +make the next finish request/,
      );
      expect(simulatorHelp.stdout).toMatch(/\n {2}--times \S+ +how many finish requests/);
      expect(simulatorHelp.stdout).toContain('  npm run simulator -- fail 1001 500 --times 4\n');
      expect(eventHelp).toMatchObject({ code: 0, stderr: '' });
      expect(eventHelp.stdout).toMatch(
        /^usage: npm run event -- <packageId> \[signerEmail\] \[--tenant <id>\]\n/,
      );
      expect(eventHelp.stdout).toContain('  npm run event -- 1001 alice@example.com\n');
      expect(startHelp).toMatchObject({ code: 0, stderr: '' });
      expect(startHelp.stdout).toContain('It takes no arguments: settings come from .env');
      expect(startHelp.stdout).toContain('LOCAL_CALLBACK_MODE=webhook npm start');
      expect(unknownWord).toMatchObject({
        code: 2,
        stderr: `unknown command "explode"; ${USAGE}\n`,
      });
      const eventUsage =
        'usage: npm run event -- <packageId> [signerEmail] [--tenant <id>] (--help for more)';
      expect(eventFlag).toMatchObject({
        code: 2,
        stderr: `unknown flag --signer; ${eventUsage}\n`,
      });
      expect(eventId).toMatchObject({
        code: 2,
        stderr: `"x1" is not a package id (a positive integer); ${eventUsage}\n`,
      });
      expect(startFlag).toMatchObject({
        code: 2,
        stdout: '',
        stderr: 'unknown flag --port; usage: npm run start -- [--help] (--help for more)\n',
      });
      // Neither --help nor a refused flag started anything: npm start made no data folder.
      await expect(stat(join(dir, 'dynamodb'))).rejects.toThrow();
    },
    COMMAND_TEST_MS,
  );
});
