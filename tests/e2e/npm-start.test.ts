import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStackState } from '../../dev/local-tenants.ts';
import { isPortOpen } from '../../dev/ports.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { readStateFile, stateFile } from '../../ops/stack-state.ts';
import { npmRunner, REPO } from '../dev/npm-run.ts';
import {
  acmeOf,
  archivedPdf,
  descendants,
  freePorts,
  running,
  STACK_PORTS,
  secretOf,
  sha256,
  shell,
  simulatorDocumentSha256,
  stackEnvironment,
  waitFor as waitUntil,
} from './stack-under-test.ts';

const PACKAGE_ID = 4242;
const SIGNERS = ['alice@example.com', 'bob@example.com'];
/** acme's signer: acme is the second tenant npm start runs, on client credentials. */
const CAROL = 'carol@example.com';
const ACME = ['--tenant', 'acme'];

let dir: string;
let env: NodeJS.ProcessEnv;
let ports: number[];
let stack: ChildProcess;
let output = '';
let exited: Promise<number | null>;
let state: LocalStackState;

const npmRun = npmRunner(() => env);

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) =>
  waitUntil(what, probe, timeoutMs, () => output);

const statusOf = async (
  packageId = PACKAGE_ID,
  tenant = 'default',
): Promise<PackageReport | undefined> => {
  const { code, stdout } = await npmRun('status', String(packageId), '--tenant', tenant, '--json');
  if (code !== 0) return undefined;
  return (JSON.parse(stdout) as { packages: PackageReport[] }).packages[0];
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signinghub-finish-e2e-'));
  ports = await freePorts(STACK_PORTS.length);
  env = stackEnvironment(dir, ports);
  // Its own process group, as in a terminal, so Ctrl-C can reach the whole of it.
  stack = spawn('npm', ['start'], { cwd: REPO, env, detached: true, stdio: 'pipe' });
  stack.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  stack.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  exited = new Promise((resolve) => stack.once('exit', resolve));
  state = await waitFor(
    'npm start to be ready',
    async () => {
      if (stack.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      const current = await readStateFile(dir);
      return current?.ready ? (current as LocalStackState) : undefined;
    },
    150_000,
  );
  // The state file is written just before the banner is printed: wait for the banner too.
  await waitFor(
    'the banner',
    async () => (output.includes('Stop: Ctrl-C') ? true : undefined),
    30_000,
  );
}, 180_000);

afterAll(async () => {
  // Only when a test failed before Ctrl-C: nothing may outlive the run.
  if (stack?.pid !== undefined && stack.exitCode === null && stack.signalCode === null) {
    const left = await descendants(stack.pid);
    for (const pid of [-stack.pid, ...left]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('npm start', () => {
  it('prints a banner with the callback URL masked and the commands to try', () => {
    const secret = secretOf(state.callbackUrl);
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(output).toContain(`http://127.0.0.1:${ports[0]}/signinghub/callback/****`);
    expect(output).toContain('npm run event --');
    expect(output).toContain('npm run simulator -- callback-url');
    expect(output).toMatch(/npm run simulator -- fail \d+ 500 --times 4/);
    expect(output).toContain('Ctrl-C');
    expect(output).not.toContain(secret);
    // The second tenant: its route, its commands, its secret masked too.
    const acme = acmeOf(state);
    expect(output).toContain(`http://127.0.0.1:${ports[0]}/signinghub/tenants/acme/callback/****`);
    expect(output).toMatch(/npm run event -- \d+ carol@example\.com --tenant acme/);
    expect(output).toContain(
      `Secrets Manager       stand-in http://127.0.0.1:${ports[5]} (not moto): ${acme.secretName}`,
    );
    expect(output).not.toContain(secretOf(acme.callbackUrl));
    expect(output).toContain(
      `S3 stand-in http://127.0.0.1:${ports[6]} (not moto), bucket signinghub-finish-local-archive`,
    );
  });

  it('runs the whole loop: two finishes, the callback, the confirmation and a completion event', async () => {
    const created = await npmRun(
      'simulator',
      'package',
      String(PACKAGE_ID),
      '--signers',
      SIGNERS.join(','),
    );
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain(`package ${PACKAGE_ID} created in the simulator`);

    const sent = [];
    for (const signer of SIGNERS) {
      const event = await npmRun('event', String(PACKAGE_ID), signer);
      expect(event, event.stderr).toMatchObject({ code: 0 });
      expect(event.stdout).toContain(`signer ${signer}: SUCCEEDED after 1 finish request`);
      sent.push(event.stdout);
    }
    expect(sent[0]).toContain(
      `package ${PACKAGE_ID}: 1 signer still to finish (bob@example.com); next: npm run event -- ${PACKAGE_ID} bob@example.com`,
    );
    expect(sent[1]).toContain(
      `package ${PACKAGE_ID}: COMPLETED: the simulator called the callback (query → 200), the ` +
        'callback confirmed it with SigningHub, and SigningPackageCompleted was published',
    );

    const report = await waitFor(
      'the package to be COMPLETED with its completion event, then archived',
      async () => {
        const current = await statusOf();
        return current?.package?.status === 'COMPLETED' && current.events.length > 1
          ? current
          : undefined;
      },
      30_000,
    );
    expect(report.finishes).toEqual(
      SIGNERS.map((signer) =>
        expect.objectContaining({ signer, status: 'SUCCEEDED', attempts: 1, lastError: null }),
      ),
    );
    expect(report.package).toMatchObject({ workflowStatus: 'COMPLETED', callbacks: 1 });
    expect(report.simulator).toMatchObject({
      workflowStatus: 'COMPLETED',
      callbacks: [{ mode: 'query', status: 200, error: null }],
    });
    expect(report.events).toEqual([
      expect.objectContaining({
        busName: 'local',
        source: 'signinghub.finish',
        detailType: 'SigningPackageCompleted',
        detail: expect.objectContaining({ packageId: PACKAGE_ID, status: 'COMPLETED' }),
      }),
      expect.objectContaining({
        detailType: 'SigningPackageArchived',
        detail: expect.objectContaining({ packageId: PACKAGE_ID, documents: [expect.anything()] }),
      }),
    ]);
    // The completion event went to ArchiveQueue, and the archive function stored the signed PDF
    // in the S3 stand-in's folder: the simulator's bytes.
    const pdf = await readFile(archivedPdf(state, 'default', PACKAGE_ID));
    expect(sha256(pdf)).toBe(await simulatorDocumentSha256('default', PACKAGE_ID));
    expect(output).toContain(`[s3] PutObject ${state.archive?.bucket}/default/${PACKAGE_ID}/1.pdf`);

    const client = new DynamoDBClient({
      endpoint: state.dynamoDbEndpoint,
      region: state.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const { Item: item } = await client.send(
        new GetItemCommand({
          TableName: state.tableName,
          Key: { pk: { S: `PACKAGE#${PACKAGE_ID}` }, sk: { S: 'PACKAGE' } },
          ConsistentRead: true,
        }),
      );
      expect(item?.status?.S).toBe('COMPLETED');
      expect(item?.workflowStatus?.S).toBe('COMPLETED');
      expect(item?.archiveStatus?.S).toBe('ARCHIVED');
    } finally {
      client.destroy();
    }

    const human = await npmRun('status');
    expect(human.stdout).toMatch(
      new RegExp(
        `${PACKAGE_ID}\\s+COMPLETED\\s+COMPLETED\\s+1\\s+2 SUCCEEDED\\s+SigningPackageCompleted`,
      ),
    );
  }, 120_000);

  it('claims no new callback or completion event for another event on the completed package', async () => {
    const again = await npmRun('event', String(PACKAGE_ID));

    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(
      new RegExp(
        `^package ${PACKAGE_ID}, the account itself: SUCCEEDED after 1 finish request \\([0-9.]+ s\\)\n` +
          `package ${PACKAGE_ID} was already COMPLETED before this event: no new callback and no ` +
          'new completion event\n$',
      ),
    );
    const report = await statusOf();
    expect(report?.package?.callbacks).toBe(1);
    expect(report?.events.map((event) => event.detailType)).toEqual([
      'SigningPackageCompleted',
      'SigningPackageArchived',
    ]);
  }, 60_000);

  it('runs the loop for the second tenant: acme’s package of the same id completes, its callback on the tenant route', async () => {
    const acme = acmeOf(state);
    expect(acme).toMatchObject({
      grantType: 'client_credentials',
      signingHubUrl: `${state.simulatorUrl}/enterprises/acme`,
      callbackUrl: expect.stringMatching(
        new RegExp(`^http://127\\.0\\.0\\.1:${ports[0]}/signinghub/tenants/acme/callback/.{16,}$`),
      ),
    });
    expect(state.functionEnvironment).toMatchObject({
      TENANTS_SECRET_PREFIX: 'signinghub-finish/local/tenants/',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${ports[5]}`,
    });

    const id = String(PACKAGE_ID);
    const created = await npmRun('simulator', 'package', id, '--signers', CAROL, ...ACME);
    const event = await npmRun('event', id, CAROL, ...ACME);

    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(event, event.stderr).toMatchObject({ code: 0 });
    expect(event.stdout).toMatch(
      new RegExp(
        `^package ${PACKAGE_ID} of tenant acme, signer ${CAROL}: SUCCEEDED after 1 finish ` +
          'request \\([0-9.]+ s\\)\n' +
          `package ${PACKAGE_ID} of tenant acme: COMPLETED: the simulator called the callback ` +
          '\\(query → 200\\), the callback confirmed it with SigningHub, and ' +
          'SigningPackageCompleted was published\n$',
      ),
    );
    const report = await waitFor(
      "acme's package to be COMPLETED with its completion event, then archived",
      async () => {
        const current = await statusOf(PACKAGE_ID, 'acme');
        return current?.package?.status === 'COMPLETED' && current.events.length > 1
          ? current
          : undefined;
      },
      30_000,
    );
    // Archived under acme's own prefix, with acme's bytes: another document than default's 4242.
    const pdf = await readFile(archivedPdf(state, 'acme', PACKAGE_ID));
    expect(sha256(pdf)).toBe(await simulatorDocumentSha256('acme', PACKAGE_ID));
    expect(report).toMatchObject({
      tenant: 'acme',
      package: { workflowStatus: 'COMPLETED', callbacks: 1 },
      finishes: [expect.objectContaining({ signer: CAROL, status: 'SUCCEEDED', attempts: 1 })],
      simulator: { callbacks: [{ mode: 'query', status: 200, error: null }] },
    });
    expect(report.events).toEqual(
      ['SigningPackageCompleted', 'SigningPackageArchived'].map((detailType) =>
        expect.objectContaining({
          detailType,
          detail: expect.objectContaining({ packageId: PACKAGE_ID, tenant: 'acme' }),
        }),
      ),
    );
    // The simulator's acme called the tenant route; finish read acme's settings from the stand-in.
    expect(output).toContain('[callback] GET /signinghub/tenants/acme/callback/****');
    expect(output).toContain(`[secrets] GetSecretValue ${acme.secretName} (AWSCURRENT) → 200`);
    expect(output).toContain(`POST /enterprises/acme/v4/authenticate/scope -> 200`);
    // The default tenant's package of the same id is another package: untouched.
    expect((await statusOf())?.package?.callbacks).toBe(1);

    const printed = await npmRun('simulator', 'callback-url', id, ...ACME);
    expect(printed.stdout.split('\n')[0]).toBe(acme.callbackUrl);
    const curl = printed.stdout.split('\n').find((line) => line.startsWith('  curl '));
    const answered = await shell(curl?.trim() ?? 'false');
    expect(JSON.parse(answered.stdout)).toEqual({
      packageId: PACKAGE_ID,
      status: 'COMPLETED',
      tenant: 'acme',
    });
  }, 120_000);

  it('prints curl lines that the running callback accepts, each for the package', async () => {
    const printed = await npmRun('simulator', 'callback-url', String(PACKAGE_ID));
    expect(printed, printed.stderr).toMatchObject({ code: 0 });
    expect(printed.stdout.split('\n')[0]).toBe(state.callbackUrl);
    const lines = printed.stdout
      .split('\n')
      .filter((line) => line.startsWith('  curl '))
      .map((line) => line.trim());
    expect(lines).toHaveLength(3);

    for (const line of lines) {
      const answered = await shell(line);
      expect(answered, line).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(answered.stdout)).toEqual({ packageId: PACKAGE_ID, status: 'COMPLETED' });
    }
    expect((await statusOf())?.package?.callbacks).toBe(1 + lines.length);
  }, 60_000);

  it('shows a final failure as FAILED, and a run of 500s as RETRYING, then SUCCEEDED', async () => {
    for (const packageId of [4243, 4244]) {
      const made = await npmRun(
        'simulator',
        'package',
        String(packageId),
        '--signers',
        SIGNERS[0] ?? '',
      );
      expect(made, made.stderr).toMatchObject({ code: 0 });
    }

    const final = await npmRun('simulator', 'fail', '4243', '403');
    const failed = await npmRun('event', '4243', 'alice@example.com');
    const retried = await npmRun('simulator', 'fail', '4244', '500', '--times', '4');
    const retrying = await npmRun('event', '4244', 'alice@example.com');
    const succeeded = await npmRun('event', '4244', 'alice@example.com');

    expect(final.stdout).toContain('npm run event -- 4243 alice@example.com will show FAILED');
    expect(failed).toMatchObject({ code: 1, stderr: '' });
    expect(failed.stdout).toBe(
      'package 4243, signer alice@example.com: FAILED for good, SigningHub answered 403 ' +
        'Scripted failure (npm run simulator -- fail 4243 403) (1 finish request); duplicates ' +
        'will not send it again\n',
    );
    expect(retried.stdout).toContain('will show RETRYING the first time');
    expect(retrying).toMatchObject({ code: 1, stderr: '' });
    expect(retrying.stdout).toMatch(
      /^package 4244, signer alice@example\.com: RETRYING after 4 finish requests, last error 500 Scripted failure/,
    );
    expect(succeeded, succeeded.stderr).toMatchObject({ code: 0 });
    expect(succeeded.stdout).toContain(
      'signer alice@example.com: SUCCEEDED after 5 finish requests',
    );
    expect(succeeded.stdout).toContain(
      'package 4244: COMPLETED: the simulator called the callback',
    );
  }, 120_000);

  it('says who confirms a package when the simulator does not call back', async () => {
    const off = await npmRun('simulator', 'callback', 'off');
    const made = await npmRun('simulator', 'package', '4245', '--signers', 'alice@example.com');
    const event = await npmRun('event', '4245', 'alice@example.com');
    const reconciled = await npmRun('reconcile', '4245');
    const on = await npmRun('simulator', 'callback', 'query');

    expect(off).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toContain(
      "when the last one has finished, the simulator's callbacks are off",
    );
    expect(event, event.stderr).toMatchObject({ code: 0 });
    expect(event.stdout).toContain(
      "package 4245: all signers finished and SigningHub says COMPLETED; the simulator's " +
        'callbacks are off, so nothing calls back: npm run reconcile -- 4245 confirms the package',
    );
    expect(reconciled, reconciled.stderr).toMatchObject({ code: 0 });
    expect(on).toMatchObject({ code: 0, stderr: '' });
    const report = await waitFor(
      'package 4245 to be COMPLETED with its completion event',
      async () => {
        const current = await statusOf(4245);
        return current?.package?.status === 'COMPLETED' && current.events.length > 0
          ? current
          : undefined;
      },
      30_000,
    );
    expect(report.package?.callbacks).toBe(0);
  }, 120_000);

  it('answers a user mistake with one line that says what to do', async () => {
    const unknown = await npmRun('event', '999999', 'carol@example.com');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim().split('\n')).toEqual([
      'package 999999 is not in the simulator: create it first with npm run simulator -- package ' +
        '999999 --signers carol@example.com',
    ]);
  }, 30_000);

  it('stops everything it started on Ctrl-C: no process, port or state file is left', async () => {
    const pid = stack.pid;
    if (pid === undefined) throw new Error('npm start has no pid');
    const started = [
      ...new Set([...(await descendants(pid)), ...state.children.map((c) => c.pid)]),
    ];
    expect(started.length).toBeGreaterThanOrEqual(4);

    process.kill(-pid, 'SIGINT');
    await Promise.race([
      exited,
      delay(60_000).then(() => {
        throw new Error(`npm start did not stop within 60 s\n${output}`);
      }),
    ]);

    expect(output).toContain('Stopped: nothing started by npm start is running any more.');
    await waitFor(
      'every process to be gone',
      async () => {
        const alive = await Promise.all(started.map(running));
        return alive.includes(true) ? undefined : true;
      },
      10_000,
    );
    for (const port of ports) expect(await isPortOpen(port), `port ${port}`).toBe(false);
    await expect(readFile(stateFile(dir))).rejects.toThrow();

    const offlineLog = await readFile(join(dir, 'offline.log'), 'utf8');
    for (const secret of [secretOf(state.callbackUrl), secretOf(acmeOf(state).callbackUrl)]) {
      expect(output).not.toContain(secret);
      expect(offlineLog).not.toContain(secret);
    }

    const after = await npmRun('status');
    expect(after.code).not.toBe(0);
    expect(after.stderr.trim()).toBe(
      'the local stack is not running: start it with `npm start` (in another terminal) and try again',
    );
  }, 90_000);
});
