import { describe, expect, it } from 'vitest';
import type { Item } from '../../lib/store/attributes.ts';
import { archiveCommand } from '../../ops/archive-command.ts';
import { UserError } from '../../ops/user-error.ts';
import { fakeDestination, fakeTable, packageRecord, pkOf } from './archive-fakes.ts';
import { fakeTarget, linesOf, NEVER_OPENED, openerOf, run } from './command-run.ts';

const STAGE = ['--stage', 'test', '--region', 'eu-west-1'];
const USAGE =
  'usage: npm run archive -- {<packageId> [--force] | --all-completed [--max N] [--after ' +
  '<cursor>]} [--tenant <id>] [--stage <stage> [--region <region>]] [--json] (--help for more)';

/** `npm run archive -- <args>` on a stage whose table holds `items`. */
const archiveOn = async (
  items: Readonly<Record<string, Item>>,
  args: readonly string[],
  destination = fakeDestination(),
) => {
  const table = fakeTable(items);
  const target = fakeTarget({
    table: table.table,
    archiveRequests: () => destination.destination,
  });
  const ran = await run((streams) => archiveCommand(args, openerOf(target).opener, streams));
  return { ran, sent: destination.sent, calls: destination.calls, asked: table.asked };
};

describe('npm run archive -- <packageId>', () => {
  it("puts a COMPLETED package's request on ArchiveQueue, and says how to follow it", async () => {
    const { ran, sent, asked } = await archiveOn({ [pkOf(1001)]: packageRecord('COMPLETED') }, [
      '1001',
      ...STAGE,
    ]);
    expect(linesOf(ran)).toEqual([
      'package 1001 (COMPLETED): archive requested on ArchiveQueue signinghub-finish-test-Archive ' +
        'of stage test in eu-west-1 as m-1; follow it with npm run status -- 1001 --stage test ' +
        '--region eu-west-1',
      '',
    ]);
    expect(sent).toEqual([
      { request: { packageId: 1001, tenant: 'default', force: false }, id: 'm-1' },
    ]);
    expect(asked).toEqual(['PACKAGE#1001']);
  });

  it("reads and requests a tenant's package under its tenant", async () => {
    const { ran, sent, asked } = await archiveOn(
      { [pkOf(1001, 'acme')]: packageRecord('COMPLETED') },
      ['1001', '--tenant', 'acme'],
    );
    expect(ran.stdout).toMatch(/^package 1001 of tenant acme \(COMPLETED\): archive requested /);
    expect(ran.stdout).toContain('follow it with npm run status -- 1001 --tenant acme\n');
    expect(sent.map((entry) => entry.request)).toEqual([
      { packageId: 1001, tenant: 'acme', force: false },
    ]);
    expect(asked).toEqual(['TENANT#acme#PACKAGE#1001']);
  });

  it('asks again for a package whose last archive FAILED, saying so', async () => {
    const items = {
      [pkOf(7)]: packageRecord('COMPLETED', {
        archiveStatus: 'FAILED',
        error: 'Document not found',
      }),
    };
    const { ran, sent } = await archiveOn(items, ['7']);
    expect(ran.stdout).toMatch(
      /^package 7 \(COMPLETED, its last archive FAILED: Document not found\): archive requested on /,
    );
    expect(sent).toHaveLength(1);
  });

  it('says an ARCHIVED package has nothing to do, and sends nothing without --force', async () => {
    const items = {
      [pkOf(8)]: packageRecord('COMPLETED', {
        archiveStatus: 'ARCHIVED',
        archivedAt: '2026-11-28T07:00:00.000Z',
        documents: 2,
      }),
    };
    const plain = await archiveOn(items, ['8', ...STAGE]);
    expect(linesOf(plain.ran)).toEqual([
      'package 8 is already ARCHIVED (at 2026-11-28T07:00:00.000Z, 2 documents): nothing to do; ' +
        '--force archives it again (npm run archive -- 8 --force --stage test --region eu-west-1)',
      '',
    ]);
    expect(plain.calls).toEqual([]);

    const forced = await archiveOn(items, ['8', '--force']);
    expect(forced.ran.stdout).toMatch(
      /^package 8 \(COMPLETED, ARCHIVED at 2026-11-28T07:00:00.000Z\): archive requested with --force on /,
    );
    expect(forced.sent.map((entry) => entry.request)).toEqual([
      { packageId: 8, tenant: 'default', force: true },
    ]);
  });

  it('says what it does not know of an ARCHIVED package: when, and one document', async () => {
    const items = {
      [pkOf(8)]: packageRecord('COMPLETED', { archiveStatus: 'ARCHIVED', documents: 1 }),
    };
    const plain = await archiveOn(items, ['8']);
    expect(plain.ran.stdout).toMatch(
      /^package 8 is already ARCHIVED \(at \?, 1 document\): nothing to do; /,
    );
    const forced = await archiveOn(items, ['8', '--force']);
    expect(forced.ran.stdout).toMatch(
      /^package 8 \(COMPLETED, ARCHIVED at \?\): archive requested with --force on /,
    );
  });

  it('asks again for a package whose last archive FAILED with no message', async () => {
    const items = { [pkOf(7)]: packageRecord('COMPLETED', { archiveStatus: 'FAILED' }) };
    const { ran } = await archiveOn(items, ['7']);
    expect(ran.stdout).toMatch(/^package 7 \(COMPLETED, its last archive FAILED\): archive /);
  });

  it('takes a package item without a status for one IN_PROGRESS', async () => {
    const { ran, calls } = await archiveOn({ [pkOf(9)]: {} }, ['9']);
    expect(ran.stderr).toMatch(/^package 9 is IN_PROGRESS: it is archived when it completes/);
    expect(calls).toEqual([]);
  });

  it.each([
    [
      'DECLINED',
      'package 9 is DECLINED: nothing to archive (only a COMPLETED package has signed documents)',
    ],
    [
      'DELETED',
      'package 9 is DELETED: nothing to archive (only a COMPLETED package has signed documents)',
    ],
    [
      'IN_PROGRESS',
      'package 9 is IN_PROGRESS: it is archived when it completes (npm run reconcile -- 9 asks ' +
        'SigningHub whether it is final now)',
    ],
  ])('says a %s package has nothing to archive now, sending nothing', async (status, line) => {
    const { ran, calls } = await archiveOn({ [pkOf(9)]: packageRecord(status) }, ['9']);
    expect(ran).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
    expect(calls).toEqual([]);
  });

  it('gives the hint the other commands give for a package the table lacks', async () => {
    const { ran, calls } = await archiveOn({}, ['4040', '--tenant', 'acme']);
    expect(ran).toEqual({ code: 1, stdout: '', stderr: 'nothing of acme/4040 here\n' });
    expect(calls).toEqual([]);
  });

  it('says the archive is off before it reads the table', async () => {
    const table = fakeTable({ [pkOf(1)]: packageRecord('COMPLETED') });
    const off = fakeTarget({
      table: table.table,
      archiveRequests: () => {
        throw new UserError('stage test does not archive documents: archiveDocuments is false');
      },
    });
    const ran = await run((streams) => archiveCommand(['1'], openerOf(off).opener, streams));
    expect(ran.code).toBe(1);
    expect(ran.stderr).toBe('stage test does not archive documents: archiveDocuments is false\n');
    expect(table.asked).toEqual([]);
  });

  it('answers in JSON with --json', async () => {
    const items = { [pkOf(5, 'acme')]: packageRecord('COMPLETED') };
    const { ran } = await archiveOn(items, ['5', '--tenant', 'acme', '--json']);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({
      stage: 'test',
      region: 'eu-west-1',
      stackName: 'signinghub-finish-test',
      tableName: 'signinghub-finish-test',
      packageId: 5,
      tenant: 'acme',
      status: 'COMPLETED',
      archiveStatus: null,
      force: false,
      requested: true,
      destination: 'ArchiveQueue signinghub-finish-test-Archive',
      id: 'm-1',
    });
    const archived = {
      [pkOf(6)]: packageRecord('COMPLETED', { archiveStatus: 'ARCHIVED', archivedAt: 'then' }),
    };
    const done = await archiveOn(archived, ['6', '--json']);
    expect(JSON.parse(done.ran.stdout)).toMatchObject({
      archiveStatus: 'ARCHIVED',
      requested: false,
      archivedAt: 'then',
    });
  });
});

describe('npm run archive, when the queue refuses', () => {
  const items = { [pkOf(1)]: packageRecord('COMPLETED') };

  it('sends a request refused for a passing reason again', async () => {
    const flaky = fakeDestination((_, attempt) =>
      attempt < 3 ? { ok: false, reason: 'ServiceUnavailable: busy', retryable: true } : undefined,
    );
    const { ran, calls, sent } = await archiveOn(items, ['1'], flaky);
    expect(ran.code).toBe(0);
    expect(calls).toHaveLength(3);
    expect(sent).toHaveLength(1);
  });

  it('gives up after three sends, and at once on a refusal that cannot pass', async () => {
    const busy = fakeDestination(() => ({
      ok: false,
      reason: 'ServiceUnavailable: busy',
      retryable: true,
    }));
    const first = await archiveOn(items, ['1'], busy);
    expect(first.calls).toHaveLength(3);
    expect(first.ran).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'package 1: the archive request could not be put on ArchiveQueue ' +
        'signinghub-finish-test-Archive (ServiceUnavailable: busy); nothing was sent: run it again\n',
    });
    const refused = fakeDestination(() => ({
      ok: false,
      reason: 'InvalidParameterValue: too big',
      retryable: false,
    }));
    const second = await archiveOn(items, ['1'], refused);
    expect(second.calls).toHaveLength(1);
    expect(second.ran.stderr).toContain('(InvalidParameterValue: too big); nothing was sent');
  });

  it("names AWS's advice when the send itself fails", async () => {
    const denied = fakeDestination(() =>
      Object.assign(new Error('User is not authorized to perform: sqs:SendMessage'), {
        name: 'AccessDenied',
      }),
    );
    const { ran, calls } = await archiveOn(items, ['1'], denied);
    expect(calls).toHaveLength(1);
    expect(ran.stderr).toBe(
      'package 1: the archive request could not be put on ArchiveQueue ' +
        'signinghub-finish-test-Archive (AWS denied sqs:SendMessage to your credentials in ' +
        'eu-west-1: use a profile that is allowed it (docs/operations.md lists what each command ' +
        'needs)); nothing was sent: run it again\n',
    );
  });
});

describe('npm run archive, a command line it refuses (exit 2, nothing opened)', () => {
  it.each([
    [[], 'a package id is missing (or --all-completed for every COMPLETED package)'],
    [['1', '2', '3'], 'one package id only, not "2 3"'],
    [['1x'], '"1x" is not a package id (a positive integer)'],
    [['1', '--max', '5'], '--max and --after go with --all-completed'],
    [['1', '--after', 'abc'], '--max and --after go with --all-completed'],
    [['1', '2', '--all-completed'], 'a package id or --all-completed, not both ("1 2")'],
    [
      ['--all-completed', '--force'],
      '--force goes with a package id: --all-completed requests only packages not yet ARCHIVED',
    ],
    [['--all-completed', '--max', '0'], '--max takes a positive integer'],
    [
      ['--all-completed', '--after', 'not a cursor'],
      '--after "not a cursor" is not a cursor npm run archive printed',
    ],
    [
      ['--all-completed', '--after', 'WyJvbmx5LW9uZSJd'],
      '--after "WyJvbmx5LW9uZSJd" is not a cursor npm run archive printed',
    ],
    [['1', '--tenant', 'Acme'], '--tenant "Acme" is not a tenant id'],
    [['--all-completed', '--tenant', 'Acme'], '--tenant "Acme" is not a tenant id'],
  ])('%j', async (args, line) => {
    const { code, stdout, stderr } = await run((streams) =>
      archiveCommand(args, NEVER_OPENED, streams),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(line)).toBe(true);
    expect(stderr.endsWith(`; ${USAGE}\n`)).toBe(true);
  });
});
