import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SigningHubSimulator,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import {
  credentialsOf,
  finish,
  type Receiver,
  startReceiver,
  tokenFor,
} from '../harness/simulator-client.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { writeCommandStack } from './command-stack.ts';
import { npmRunner } from './npm-run.ts';

// `npm run simulator` and `npm run event` with --tenant, as a user types them, against a simulator
// with the default enterprise and acme and a state file naming acme as npm start writes it (no
// functions run here: the event command is stopped before it sends anything).

const COMMAND_TEST_MS = 120_000;
const CAROL = 'carol@example.com';

let dir: string;
let table: TestTable;
let simulator: SigningHubSimulator;
let receivers: { default: Receiver; acme: Receiver };
let env: NodeJS.ProcessEnv;
const npmRun = npmRunner(() => env);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-tenant-commands-'));
  table = await createTestTable();
  receivers = { default: await startReceiver(), acme: await startReceiver() };
  simulator = await startSimulator({
    autoCreatePackages: false,
    callback: { url: receivers.default.url, mode: 'query' },
    enterprises: {
      acme: {
        credentials: credentialsOf('acme'),
        callback: { url: receivers.acme.url, mode: 'query' },
      },
    },
  });
  env = await writeCommandStack(dir, {
    simulator,
    table,
    callbackUrl: receivers.default.url,
    tenants: [
      {
        name: 'acme',
        grantType: 'client_credentials',
        signingHubUrl: simulator.enterprise('acme').url,
        callbackUrl: receivers.acme.url,
        secretName: 'signinghub-finish/local/tenants/acme',
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await simulator?.close();
  await receivers?.default.close();
  await receivers?.acme.close();
  await table?.drop();
  await rm(dir, { recursive: true, force: true });
});

const acme = () => simulator.enterprise('acme');

describe('npm run simulator -- <command> --tenant acme', () => {
  it(
    "makes the package in acme's enterprise only, and names acme in what comes next",
    async () => {
      const made = await npmRun(
        'simulator',
        'package',
        '9201',
        '--signers',
        CAROL,
        '--tenant',
        'acme',
      );

      expect(made).toMatchObject({ code: 0, stderr: '' });
      expect(made.stdout).toBe(
        `package 9201 of tenant acme created in the simulator with the signers ${CAROL} (in ` +
          'this order); when the last one has finished, the simulator calls the callback ' +
          `(query)\nnext: npm run event -- 9201 ${CAROL} --tenant acme\n`,
      );
      expect(acme().getPackage(9201)?.signers).toEqual([
        { email: CAROL, processStatus: 'UN_PROCESSED' },
      ]);
      expect(simulator.getPackage(9201)).toBeUndefined();
    },
    COMMAND_TEST_MS,
  );

  it(
    "fails acme's finish requests, not the default enterprise's of the same id",
    async () => {
      acme().createPackage(9202, [CAROL]);
      simulator.createPackage(9202, [CAROL]);

      const failed = await npmRun(
        'simulator',
        'fail',
        '9202',
        '500',
        '--times',
        '4',
        '--tenant',
        'acme',
      );

      expect(failed).toMatchObject({ code: 0, stderr: '' });
      expect(failed.stdout).toContain(
        `package 9202 of tenant acme: the simulator answers its next 4 finish requests with 500`,
      );
      expect(failed.stdout).toContain(
        `npm run event -- 9202 ${CAROL} --tenant acme will show RETRYING the first time`,
      );
      const acmeToken = await tokenFor(acme(), CAROL, credentialsOf('acme'));
      const statuses: number[] = [];
      for (let n = 0; n < 5; n += 1) {
        statuses.push((await finish(acme(), 9202, acmeToken)).status);
      }
      expect(statuses).toEqual([500, 500, 500, 500, 200]);
      expect((await finish(simulator, 9202, await tokenFor(simulator, CAROL))).status).toBe(200);
    },
    COMMAND_TEST_MS,
  );

  it(
    "sets acme's callback mode to acme's route, and prints acme's callback URL with curl lines",
    async () => {
      // Earlier tests completed packages: only what comes now counts.
      await simulator.callbacksSettled();
      const earlier = {
        acme: receivers.acme.requests.length,
        default: receivers.default.requests.length,
      };
      const webhook = await npmRun('simulator', 'callback', 'webhook', '--tenant', 'acme');
      acme().createPackage(9203, [CAROL]);
      await finish(acme(), 9203, await tokenFor(acme(), CAROL, credentialsOf('acme')));
      await acme().callbacksSettled();
      const printed = await npmRun('simulator', 'callback-url', '9203', '--tenant', 'acme');

      expect(webhook).toMatchObject({ code: 0, stderr: '' });
      const called = receivers.acme.requests.slice(earlier.acme);
      expect(called.map((request) => request.method)).toEqual(['POST']);
      expect(JSON.parse(called[0]?.body ?? '{}')).toMatchObject({ package_id: 9203 });
      expect(receivers.default.requests).toHaveLength(earlier.default);
      expect(printed).toMatchObject({ code: 0, stderr: '' });
      const lines = printed.stdout.split('\n');
      expect(lines[0]).toBe(receivers.acme.url);
      const curls = lines.filter((line) => line.startsWith('  curl '));
      expect(curls).toHaveLength(3);
      for (const curl of curls) expect(curl).toContain(receivers.acme.url);
    },
    COMMAND_TEST_MS,
  );
});

describe('a tenant the stack does not run, or a malformed one', () => {
  it(
    'refuses it in one line, before anything is made or sent',
    async () => {
      // The default enterprise has 9299; acme has not.
      simulator.createPackage(9299, [CAROL]);
      const unknown = await npmRun(
        'simulator',
        'package',
        '9204',
        '--signers',
        CAROL,
        '--tenant',
        'beta',
      );
      const event = await npmRun('event', '9204', CAROL, '--tenant', 'beta');
      const malformed = await npmRun('event', '9204', '--tenant', 'Acme!');
      const missing = await npmRun('event', '9299', CAROL, '--tenant', 'acme');

      const notRun =
        'the local stack runs no tenant "beta": its tenants are default and acme (npm start\'s ' +
        'banner lists them)\n';
      expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: notRun });
      expect(event).toMatchObject({ code: 1, stdout: '', stderr: notRun });
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toMatch(
        /^--tenant "Acme!" is not a tenant id .*usage: npm run event -- /,
      );
      expect(missing).toMatchObject({ code: 1, stdout: '' });
      expect(missing.stderr).toBe(
        'package 9299 of tenant acme is not in the simulator: create it first with npm run ' +
          `simulator -- package 9299 --signers ${CAROL} --tenant acme\n`,
      );
      expect(acme().getPackage(9204)).toBeUndefined();
    },
    COMMAND_TEST_MS,
  );

  it(
    'shows --tenant in the help of simulator and event, with examples',
    async () => {
      const simulatorHelp = await npmRun('simulator', '--help');
      const eventHelp = await npmRun('event', '--help');

      expect(simulatorHelp.stdout).toMatch(/\n {2}--tenant <id> +the tenant whose enterprise/);
      expect(simulatorHelp.stdout).toContain(
        '  npm run simulator -- package 1001 --signers carol@example.com --tenant acme\n',
      );
      expect(eventHelp.stdout).toMatch(
        /^usage: npm run event -- <packageId> \[signerEmail\] \[--tenant <id>\]\n/,
      );
      expect(eventHelp.stdout).toMatch(/\n {2}--tenant <id> +the package's tenant/);
      expect(eventHelp.stdout).toContain(
        '  npm run event -- 1001 carol@example.com --tenant acme\n',
      );
    },
    COMMAND_TEST_MS,
  );
});
