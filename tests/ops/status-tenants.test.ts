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

/** A completion event as the local stack records it; `tenant` in its detail as publish puts it. */
const sent = (packageId: number, minute: number, tenant?: string): PublishedEvent => ({
  id: `event-${tenant ?? DEFAULT_TENANT}-${packageId}-${minute}`,
  busName: 'local',
  source: 'signinghub.finish',
  detailType: 'SigningPackageCompleted',
  detail: { packageId, status: 'COMPLETED', ...(tenant ? { tenant } : {}) },
  at: `2026-11-28T07:${String(minute).padStart(2, '0')}:00.000Z`,
});

const at = (minute: number) => `2026-11-28T07:${String(minute).padStart(2, '0')}:00.000Z`;

/** Package 1001 in the default tenant and in acme (two packages), and acme's 1002. */
const PACKAGES: PackageRecords[] = [
  {
    tenant: DEFAULT_TENANT,
    packageId: 1001,
    package: packageItem(1001, { status: 'COMPLETED', updatedAt: at(10) }),
    finishes: [finishItem(1001, 'alice@example.com')],
  },
  {
    tenant: 'acme',
    packageId: 1001,
    package: packageItem(1001, { callbacks: 2, updatedAt: at(20) }),
    finishes: [finishItem(1001, 'bob@example.com'), finishItem(1001, 'carol@example.com')],
  },
  {
    tenant: 'acme',
    packageId: 1002,
    package: packageItem(1002, { status: 'COMPLETED', updatedAt: at(5) }),
    finishes: [],
  },
];

/** The default tenant's 1001 sent once, acme's 1001 twice, acme's 1002 once, and one unreadable. */
const EVENTS = [
  sent(1001, 11),
  sent(1001, 21, 'acme'),
  sent(1001, 22, 'acme'),
  sent(1002, 6, 'acme'),
  sent(1001, 23, 'Not A Tenant'),
];

const localLike = (simulator?: SimulatorCall) => {
  const reader = readerOf(PACKAGES);
  const target = fakeTarget({
    where: 'the local stack',
    reports: { reader, listing: 'all', completionEvents: async () => EVENTS, simulator },
  });
  return { reader, target };
};

const statusOn = (target: OperatorTarget, ...args: string[]) =>
  run((streams) => status(args, openerOf(target).opener, streams));

const jsonOf = async (target: OperatorTarget, ...args: string[]) => {
  const ran = await statusOn(target, ...args, '--json');
  linesOf(ran);
  return JSON.parse(ran.stdout) as { packages: PackageReport[]; total: number };
};

describe('npm run status with tenants', () => {
  it("lists every tenant's packages with a column of whose, each with its own events", async () => {
    expect(linesOf(await statusOn(localLike().target))).toEqual([
      'TENANT   PACKAGE  STATUS       SIGNINGHUB  CALLBACKS  FINISHES     EVENTS                      UPDATED',
      'acme     1001     IN_PROGRESS  -           2          2 SUCCEEDED  SigningPackageCompleted ×2  2026-11-28 07:20:00Z',
      'default  1001     COMPLETED    -           0          1 SUCCEEDED  SigningPackageCompleted     2026-11-28 07:10:00Z',
      'acme     1002     COMPLETED    -           0          -            SigningPackageCompleted     2026-11-28 07:05:00Z',
      '',
    ]);
  });

  it('carries each package’s tenant in JSON, and its events are its own', async () => {
    const { packages, total } = await jsonOf(localLike().target);
    expect(total).toBe(3);
    expect(packages.map(({ tenant, packageId }) => `${tenant}/${packageId}`)).toEqual([
      'acme/1001',
      'default/1001',
      'acme/1002',
    ]);
    expect(packages.map((report) => report.events.map((event) => event.id))).toEqual([
      ['event-acme-1001-21', 'event-acme-1001-22'],
      ['event-default-1001-11'],
      ['event-acme-1002-6'],
    ]);
  });

  it("shows one tenant's package only with --tenant, and the default's without it or with default", async () => {
    const { reader, target } = localLike();
    const acme = await statusOn(target, '1001', '--tenant', 'acme');
    expect(linesOf(acme).slice(0, 3)).toEqual([
      'package 1001 of tenant acme: IN_PROGRESS, 2 callbacks',
      'completion event: SigningPackageCompleted at 2026-11-28 07:21:00Z on bus local',
      'completion event: SigningPackageCompleted at 2026-11-28 07:22:00Z on bus local',
    ]);
    expect(acme.stdout).toContain('carol@example.com');
    expect(acme.stdout).not.toContain('alice@example.com');
    const mine = await statusOn(target, '1001');
    expect(linesOf(mine)[0]).toBe('package 1001: COMPLETED, 0 callbacks');
    expect(mine.stdout).toContain('at 2026-11-28 07:11:00Z');
    expect(mine.stdout).not.toContain('07:21:00Z');
    expect(await statusOn(target, '1001', '--tenant', 'default')).toEqual(mine);
    expect(reader.read).toEqual([
      { tenant: 'acme', packageId: 1001 },
      { tenant: DEFAULT_TENANT, packageId: 1001 },
      { tenant: DEFAULT_TENANT, packageId: 1001 },
    ]);
    const [json] = (await jsonOf(target, '1002', '--tenant', 'acme')).packages;
    expect(json).toMatchObject({ tenant: 'acme', packageId: 1002, package: { callbacks: 0 } });
  });

  it('says what the target says of a package a tenant has nothing of', async () => {
    expect(await statusOn(localLike().target, '1002')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nothing of default/1002 here\n',
    });
  });

  it("reads a stage's open packages each with its tenant, and names the tenant to republish with", async () => {
    const reader = readerOf(PACKAGES, [{ tenant: 'acme', packageId: 1001 }, 1001]);
    const target = fakeTarget({ reports: { ...fakeTarget().reports, reader } });
    const lines = linesOf(await statusOn(target));
    expect(reader.read).toEqual([
      { tenant: 'acme', packageId: 1001 },
      { tenant: DEFAULT_TENANT, packageId: 1001 },
    ]);
    expect(lines.slice(0, 3)).toEqual([
      'TENANT   PACKAGE  STATUS       SIGNINGHUB  CALLBACKS  FINISHES     UPDATED',
      'acme     1001     IN_PROGRESS  -           2          2 SUCCEEDED  2026-11-28 07:20:00Z',
      'default  1001     COMPLETED    -           0          1 SUCCEEDED  2026-11-28 07:10:00Z',
    ]);
    expect((await statusOn(target, '1002', '--tenant', 'acme')).stdout).toContain(
      '\ncompletion event: sent by the publish function when it became final (not recorded ' +
        'here; npm run republish -- 1002 --tenant acme sends it again)\n',
    );
  });

  it("asks the simulator about a tenant's package in that tenant's enterprise", async () => {
    const asked: string[] = [];
    const simulator: SimulatorCall = async (_method, path) => {
      asked.push(path);
      if (path.startsWith('/_simulator/calls')) {
        const packageId = path.endsWith('?enterprise=acme') ? 1001 : 1002;
        return {
          status: 200,
          body: { callbacksSent: [{ packageId, mode: 'query', status: 200 }] },
        };
      }
      return path === '/_simulator/packages/1001?enterprise=acme'
        ? { status: 200, body: { workflowStatus: 'SHARED', signers: [] } }
        : { status: 404, body: undefined };
    };
    const { stdout } = await statusOn(localLike(simulator).target, '1001', '--tenant', 'acme');
    expect(asked).toEqual([
      '/_simulator/calls?enterprise=acme',
      '/_simulator/packages/1001?enterprise=acme',
    ]);
    expect(stdout).toContain('\nsimulator: workflow SHARED; no signers; callback query → 200\n');
  });
});

describe('npm run status --tenant, its command line', () => {
  const USAGE =
    'usage: npm run status -- [packageId [--tenant <id>]] [--limit N] [--stage <stage> [--region <region>]] [--json] (--help for more)';
  const PATTERN = '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$';

  it.each([['Acme'], ['acme_corp'], ['-acme'], ['acme-'], [''], ['a'.repeat(41)]])(
    'refuses --tenant %j in one line naming the flag and the pattern, exit 2',
    async (tenant) => {
      const { code, stdout, stderr } = await run((streams) =>
        status(['1001', `--tenant=${tenant}`], NEVER_OPENED, streams),
      );
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `--tenant "${tenant}" is not a tenant id (1 to 40 of a-z, 0-9 and -, a letter or digit ` +
          `first and last: ${PATTERN}); ${USAGE}\n`,
      );
    },
  );

  it.each([
    [
      ['--tenant', 'acme'],
      `--tenant goes with a package id: without one, status lists every tenant's packages; ${USAGE}`,
    ],
    [['1001', '--tenant'], `--tenant takes a value; ${USAGE}`],
  ])('refuses %j in one line, exit 2', async (args, line) => {
    const { code, stderr } = await run((streams) => status(args, NEVER_OPENED, streams));
    expect(code).toBe(2);
    expect(stderr).toBe(`${line}\n`);
  });

  it('takes the longest and shortest tenant ids', async () => {
    for (const tenant of ['a'.repeat(40), 'a', '0-9']) {
      const { reader, target } = localLike();
      await statusOn(target, '7', '--tenant', tenant);
      expect(reader.read).toEqual([{ tenant, packageId: 7 }]);
    }
  });
});
