import { describe, expect, it } from 'vitest';
import type { PackageRecords } from '../../lib/store/package-reader.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import type { PackageReport, SimulatorCall } from '../../ops/package-report.ts';
import type { PublishedEvent } from '../../ops/stack-state.ts';
import { status } from '../../ops/status-command.ts';
import type { OperatorTarget } from '../../ops/target.ts';
import {
  fakeTarget,
  finishItem,
  linesOf,
  NEVER_OPENED,
  openerOf,
  packageItem,
  readerOf,
  run,
} from './command-run.ts';

const completed = (packageId: number, minute: number): PublishedEvent => ({
  id: `event-${packageId}-${minute}`,
  busName: 'local',
  source: 'signinghub.finish',
  detailType: 'SigningPackageCompleted',
  detail: { packageId, status: 'COMPLETED' },
  at: `2026-11-28T07:${String(minute).padStart(2, '0')}:00.000Z`,
});

/** Three packages: 1001 final (republished once), 1002 open, 1003 open with a failed finish. */
const PACKAGES: PackageRecords[] = [
  {
    tenant: DEFAULT_TENANT,
    packageId: 1001,
    package: packageItem(1001, {
      status: 'COMPLETED',
      workflowStatus: 'COMPLETED',
      callbacks: 1,
      lastCallbackAt: '2026-11-28T07:40:12.345Z',
      completedAt: '2026-11-28T07:40:13.000Z',
      updatedAt: '2026-11-28T07:40:13.000Z',
    }),
    finishes: [
      finishItem(1001, undefined),
      finishItem(1001, 'alice@example.com', { updatedAt: '2026-11-28T07:31:02.000Z' }),
    ],
  },
  { tenant: DEFAULT_TENANT, packageId: 1002, package: packageItem(1002), finishes: [] },
  {
    tenant: DEFAULT_TENANT,
    packageId: 1003,
    package: undefined,
    finishes: [
      finishItem(1003, 'bob@example.com', {
        status: 'FAILED',
        attempts: 3,
        lastError: { httpStatus: 503, message: 'busy' },
        updatedAt: '2026-11-28T07:50:00.000Z',
      }),
    ],
  },
];

/** The local stack's kind of target: every package, completion events recorded. */
const localLike = (overrides: Partial<OperatorTarget['reports']> = {}) =>
  fakeTarget({
    where: 'the local stack',
    reports: {
      reader: readerOf(PACKAGES),
      listing: 'all',
      completionEvents: async () => [completed(1001, 40), completed(1001, 55), completed(9, 1)],
      simulator: undefined,
      ...overrides,
    },
  });

/** A deployed stage's kind: the open packages from the index, no completion events. */
const stageLike = () => {
  const reader = readerOf(PACKAGES, [1003, 1002]);
  return { reader, target: fakeTarget({ reports: { ...fakeTarget().reports, reader } }) };
};

const statusOn = (target: OperatorTarget, ...args: string[]) =>
  run((streams) => status(args, openerOf(target).opener, streams));

describe('npm run status, the list', () => {
  it('shows every package newest first, each completion event type once with its count', async () => {
    expect(linesOf(await statusOn(localLike()))).toEqual([
      'PACKAGE  STATUS       SIGNINGHUB  CALLBACKS  FINISHES     EVENTS                      UPDATED',
      '1003     -            -           0          1 FAILED     -                           2026-11-28 07:50:00Z',
      '1001     COMPLETED    COMPLETED   1          2 SUCCEEDED  SigningPackageCompleted ×2  2026-11-28 07:40:13Z',
      '1002     IN_PROGRESS  -           0          -            -                           2026-11-28 07:00:00Z',
      '',
    ]);
  });

  it('names each type of event once, in the order sent', async () => {
    const declined = { ...completed(1001, 56), detailType: 'SigningPackageDeclined' };
    const target = localLike({
      completionEvents: async () => [completed(1001, 40), declined, completed(1001, 57)],
    });
    const { stdout } = await statusOn(target);
    expect(stdout).toMatch(/^1001 .* SigningPackageCompleted ×2, SigningPackageDeclined +2026/m);
  });

  it('says how many it left out under --limit', async () => {
    const { stdout } = await statusOn(localLike(), '--limit', '2');
    expect(stdout).toMatch(/^1003 /m);
    expect(stdout).not.toMatch(/^1002 /m);
    expect(stdout).toContain('\n(the 2 newest of 3 packages; --limit 3 shows all)\n');
  });

  it('lists only the open packages of a stage, without a column of events it does not keep', async () => {
    const { reader, target } = stageLike();
    const lines = linesOf(await statusOn(target, '--limit', '1'));
    expect(reader.read).toEqual([{ tenant: DEFAULT_TENANT, packageId: 1003 }]);
    expect(lines).toEqual([
      'PACKAGE  STATUS  SIGNINGHUB  CALLBACKS  FINISHES  UPDATED',
      '1003     -       -           0          1 FAILED  2026-11-28 07:50:00Z',
      '(the 1 newest of 2 open packages; --limit 2 shows all)',
      '(open packages only, from the open-packages index: give a package id to see a final one)',
      '',
    ]);
  });

  it('says what the target says of no packages at all, and succeeds', async () => {
    const target = fakeTarget({ reports: { ...fakeTarget().reports, reader: readerOf([]) } });
    expect(await statusOn(target)).toEqual({ code: 0, stdout: 'no packages here\n', stderr: '' });
  });

  it('answers in JSON with where it looked, the packages and their total', async () => {
    const { stdout } = await statusOn(stageLike().target, '--json');
    const json = JSON.parse(stdout) as Record<string, unknown> & { packages: PackageReport[] };
    expect(Object.keys(json)).toEqual([
      'stage',
      'region',
      'stackName',
      'tableName',
      'packages',
      'total',
    ]);
    expect(json).toMatchObject({ stage: 'test', stackName: 'signinghub-finish-test', total: 2 });
    expect(json.packages.map((report) => report.packageId)).toEqual([1003, 1002]);
    expect(json.packages[0]).toEqual({
      packageId: 1003,
      tenant: DEFAULT_TENANT,
      package: null,
      finishes: [
        {
          signer: 'bob@example.com',
          status: 'FAILED',
          attempts: 3,
          lastError: { httpStatus: 503, message: 'busy' },
          createdAt: '2026-11-28T06:00:00.000Z',
          updatedAt: '2026-11-28T07:50:00.000Z',
          finishedAt: '2026-11-28T06:00:00.000Z',
        },
      ],
      events: [],
      archive: null,
      simulator: null,
      updatedAt: '2026-11-28T07:50:00.000Z',
    });
  });
});

describe('npm run status, one package', () => {
  it('shows its item, its completion events and its finishes on the local stack', async () => {
    const { stdout } = await statusOn(localLike(), '1001');
    expect(stdout.split('\n')).toEqual([
      'package 1001: COMPLETED (SigningHub says COMPLETED), 1 callback (last 2026-11-28 07:40:12Z), final since 2026-11-28 07:40:13Z',
      'completion event: SigningPackageCompleted at 2026-11-28 07:40:00Z on bus local',
      'completion event: SigningPackageCompleted at 2026-11-28 07:55:00Z on bus local',
      '',
      'SIGNER                STATUS     ATTEMPTS  LAST ERROR  FINISHED',
      '(the account itself)  SUCCEEDED  1         -           2026-11-28 06:00:00Z',
      'alice@example.com     SUCCEEDED  1         -           2026-11-28 06:00:00Z',
      '',
    ]);
  });

  it('says what is not there yet: the package item, events, finishes', async () => {
    const none = localLike({ completionEvents: async () => [] });
    expect((await statusOn(none, '1003')).stdout.split('\n')).toEqual([
      'package 1003: no package item yet (made by the first successful finish or callback)',
      'completion event: none yet',
      '',
      'SIGNER           STATUS  ATTEMPTS  LAST ERROR  FINISHED',
      'bob@example.com  FAILED  3         503 busy    2026-11-28 06:00:00Z',
      '',
    ]);
    expect((await statusOn(none, '1002')).stdout).toBe(
      'package 1002: IN_PROGRESS, 0 callbacks\ncompletion event: none yet\n\nno finish items yet\n',
    );
  });

  it('says where a stage keeps no completion events what became of them', async () => {
    const { target } = stageLike();
    expect((await statusOn(target, '1001')).stdout).toContain(
      '\ncompletion event: sent by the publish function when it became final (not recorded ' +
        'here; npm run republish sends it again)\n',
    );
    expect((await statusOn(target, '1002')).stdout).toContain(
      '\ncompletion event: none until the package is final\n',
    );
  });

  it("shows a stage's package's archive, though the stage keeps no events", async () => {
    const completedAt = '2026-11-28T07:40:13.000Z';
    const of = (packageId: number, archive: PackageRecords['archive']): PackageRecords => ({
      tenant: DEFAULT_TENANT,
      packageId,
      package: packageItem(packageId, { status: 'COMPLETED', completedAt }),
      finishes: [],
      archive,
    });
    const document = {
      documentId: 9,
      name: 'a.pdf',
      key: 'default/1004/9.pdf',
      bytes: 1,
      sha256: 'f'.repeat(64),
    };
    const reader = readerOf([
      of(1004, {
        archiveStatus: 'ARCHIVED',
        archivedAt: '2026-11-28T07:41:00.500Z',
        documents: [document],
        archiveError: undefined,
      }),
      // FAILED without the error it should have: said, not hidden.
      of(1005, {
        archiveStatus: 'FAILED',
        archivedAt: undefined,
        documents: [],
        archiveError: undefined,
      }),
    ]);
    const target = fakeTarget({ reports: { ...fakeTarget().reports, reader } });
    expect((await statusOn(target, '1004')).stdout.split('\n')).toEqual([
      'package 1004: COMPLETED, 0 callbacks, final since 2026-11-28 07:40:13Z',
      'completion event: sent by the publish function when it became final (not recorded here; ' +
        'npm run republish sends it again)',
      'archive: ARCHIVED at 2026-11-28 07:41:00Z, 1 document, 1 byte',
      `archived document: default/1004/9.pdf, 1 byte, SHA-256 ${'f'.repeat(64)}`,
      '',
      'no finish items yet',
      '',
    ]);
    expect((await statusOn(target, '1005')).stdout).toContain(
      '\narchive: FAILED: no error recorded; 0 documents, 0 bytes stored before it ' +
        '(npm run archive -- 1005 tries again)\n',
    );
  });

  it('shows what the simulator says of it, when it runs', async () => {
    const simulator: SimulatorCall = async (method, path) => {
      expect(method).toBe('GET');
      if (path === '/_simulator/calls') {
        return {
          status: 200,
          body: {
            callbacksSent: [
              { packageId: 1001, mode: 'query', status: 200 },
              { packageId: 1001, mode: 'webhook', error: 'ECONNREFUSED' },
              { packageId: 1001, mode: 'report' },
              { packageId: 1002, mode: 'query', status: 200 },
            ],
          },
        };
      }
      return path === '/_simulator/packages/1001'
        ? {
            status: 200,
            body: {
              workflowStatus: 'COMPLETED',
              signers: [{ email: 'alice@example.com', processStatus: 'SIGNED', extra: 1 }],
            },
          }
        : { status: 404, body: undefined };
    };
    const target = localLike({ simulator });
    const { stdout } = await statusOn(target, '1001');
    expect(stdout).toContain(
      '\nsimulator: workflow COMPLETED; alice@example.com SIGNED; callback query → 200, ' +
        'webhook → ECONNREFUSED, report → pending\n',
    );
    const json = JSON.parse((await statusOn(target, '--json')).stdout) as {
      packages: PackageReport[];
    };
    expect(json.packages.map((report) => report.simulator)).toEqual([
      null,
      {
        workflowStatus: 'COMPLETED',
        signers: [{ email: 'alice@example.com', processStatus: 'SIGNED' }],
        callbacks: [
          { mode: 'query', status: 200, error: null },
          { mode: 'webhook', status: null, error: 'ECONNREFUSED' },
          { mode: 'report', status: null, error: null },
        ],
      },
      null,
    ]);
  });

  it('says the simulator has no signers and made no callback yet', async () => {
    const simulator: SimulatorCall = async (_method, path) =>
      path === '/_simulator/calls'
        ? { status: 200, body: {} }
        : { status: 200, body: { workflowStatus: 'DRAFT', signers: [] } };
    const { stdout } = await statusOn(localLike({ simulator }), '1002');
    expect(stdout).toContain('\nsimulator: workflow DRAFT; no signers; callback none yet\n');
  });

  it("shows a finish's error without a status, its unfinished time, and every signer", async () => {
    const finishes = [
      finishItem(1004, 'carol@example.com', {
        status: 'FAILED',
        lastError: { message: 'socket hang up' },
        finishedAt: undefined,
      }),
    ];
    const reader = readerOf([
      { tenant: DEFAULT_TENANT, packageId: 1004, package: undefined, finishes },
    ]);
    const signers = [
      { email: 'alice@example.com', processStatus: 'SIGNED' },
      { email: 'bob@example.com', processStatus: 'PENDING' },
    ];
    const simulator: SimulatorCall = async (_method, path) =>
      path === '/_simulator/calls'
        ? { status: 200, body: {} }
        : { status: 200, body: { workflowStatus: 'SHARED', signers } };
    const { stdout } = await statusOn(localLike({ reader, simulator }), '1004');
    expect(stdout).toContain(
      '\nsimulator: workflow SHARED; alice@example.com SIGNED, bob@example.com PENDING; callback none yet\n',
    );
    expect(stdout).toMatch(/\ncarol@example\.com +FAILED +1 +socket hang up +-\n/);
    const lines = stdout.split('\n');
    const header = lines.find((line) => line.startsWith('SIGNER')) ?? '';
    const row = lines.find((line) => line.startsWith('carol@')) ?? '';
    expect(row.indexOf('socket hang up')).toBe(header.indexOf('LAST ERROR'));
  });

  it('fails with what the target says of a package it has nothing of', async () => {
    expect(await statusOn(localLike(), '4242')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nothing of default/4242 here\n',
    });
  });
});

describe('npm run status, its command line', () => {
  const USAGE =
    'usage: npm run status -- [packageId [--tenant <id>]] [--limit N] [--stage <stage> [--region <region>]] [--json] (--help for more)';

  it.each([
    [['1', '2'], `one package id only, not "1 2"; ${USAGE}`],
    [['12x'], `"12x" is not a package id (a positive integer); ${USAGE}`],
    [['--limit', '0'], `--limit takes a positive integer; ${USAGE}`],
    [['--limit'], `--limit takes a value; ${USAGE}`],
    [['--region', 'eu-west-1'], /^--region goes with --stage/],
  ])('refuses %j in one line, exit 2', async (args, line) => {
    const { code, stdout, stderr } = await run((streams) => status(args, NEVER_OPENED, streams));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd()).toMatch(line);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('opens the target the command line names', async () => {
    const { opener, asked } = openerOf(localLike());
    await run((streams) => status(['--stage', 'prod', '--region', 'eu-west-1'], opener, streams));
    await run((streams) => status([], opener, streams));
    expect(asked).toEqual([
      { kind: 'stage', stage: 'prod', region: 'eu-west-1' },
      { kind: 'local' },
    ]);
  });
});
