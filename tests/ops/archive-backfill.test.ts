import { describe, expect, it } from 'vitest';
import { archiveCommand } from '../../ops/archive-command.ts';
import { cursorOf } from '../../ops/archive-scan.ts';
import { sendRequests } from '../../ops/archive-send.ts';
import { fakeDestination, fakeScan, pkOf, type Row } from './archive-fakes.ts';
import { fakeTarget, linesOf, openerOf, run } from './command-run.ts';

/** Thirty package items in scan order; every fourth is not one to archive (23 are). */
const ROWS: readonly Row[] = Array.from({ length: 30 }, (_, index) => ({
  packageId: index + 1,
  tenant: 'default',
  candidate: (index + 1) % 4 !== 0,
  failedBefore: index + 1 === 2,
}));
const TO_ARCHIVE = ROWS.filter((row) => row.candidate).map((row) => row.packageId);

const cursor = (packageId: number, tenant = 'default') =>
  cursorOf({ pk: pkOf(packageId, tenant), sk: 'PACKAGE' });

/** `npm run archive -- --all-completed <args>` over `rows`, reading `pageSize` items a page. */
const backfill = async (
  args: readonly string[],
  options: {
    readonly rows?: readonly Row[];
    readonly pageSize?: number;
    readonly destination?: ReturnType<typeof fakeDestination>;
    readonly failScanAt?: number;
  } = {},
) => {
  const destination = options.destination ?? fakeDestination();
  const scan = fakeScan(options.rows ?? ROWS, options.failScanAt);
  const target = fakeTarget({
    archiveRequests: () => destination.destination,
    scanUnarchived: scan.scan,
  });
  const ran = await run((streams) =>
    archiveCommand(
      ['--all-completed', ...args],
      openerOf(target).opener,
      streams,
      options.pageSize,
    ),
  );
  return {
    ran,
    scans: scan.requests,
    calls: destination.calls,
    requested: destination.sent.map((entry) => entry.request.packageId),
  };
};

describe('npm run archive -- --all-completed', () => {
  it("requests every page's packages in batches of 10, printing each page's cursor and the counts", async () => {
    const { ran, calls, requested, scans } = await backfill([], { pageSize: 25 });
    expect(linesOf(ran)).toEqual([
      `page 1: requested 19 packages of 25 items read; continue after it with --after ${cursor(25)}`,
      'page 2: requested 4 packages of 5 items read; the table is read to its end',
      'archive: requested 23 packages of every tenant (1 of them FAILED before) on ArchiveQueue ' +
        'signinghub-finish-test-Archive of stage test in eu-west-1, in 2 pages of 30 items read; ' +
        'follow one with npm run status -- <packageId>',
      '',
    ]);
    expect(calls.map((call) => call.length)).toEqual([10, 9, 4]);
    expect(requested).toEqual(TO_ARCHIVE);
    expect(calls.flat().every((request) => !request.force)).toBe(true);
    expect(scans).toEqual([
      { tenant: undefined, after: undefined, limit: 25 },
      { tenant: undefined, after: { pk: 'PACKAGE#25', sk: 'PACKAGE' }, limit: 25 },
    ]);
  });

  it('stops at --max with the cursor of the last package requested, and a run after it does the rest', async () => {
    const first = await backfill(['--max', '7', '--stage', 'test'], { pageSize: 10 });
    expect(linesOf(first.ran)).toEqual([
      `page 1: requested 7 packages of 10 items read; continue after it with --after ${cursor(9)}`,
      'archive: requested 7 packages of every tenant (1 of them FAILED before) on ArchiveQueue ' +
        'signinghub-finish-test-Archive of stage test in eu-west-1, in 1 page of 10 items read; ' +
        'follow one with npm run status -- <packageId> --stage test; stopped at --max 7: npm run ' +
        `archive -- --all-completed --after ${cursor(9)} --stage test continues`,
      '',
    ]);
    expect(first.requested).toEqual([1, 2, 3, 5, 6, 7, 9]);

    const second = await backfill(['--after', cursor(9), '--max', '8'], { pageSize: 10 });
    expect(second.requested).toEqual([10, 11, 13, 14, 15, 17, 18, 19]);
    expect(second.ran.stdout).toContain(`--after ${cursor(19)} continues`);
    // Exactly at a page's end: the page's own cursor.
    const third = await backfill(['--after', cursor(19), '--max', '1'], { pageSize: 1 });
    expect(third.ran.stdout).toContain(`continue after it with --after ${cursor(21)}`);
    const rest = await backfill(['--after', cursor(19)], { pageSize: 10 });
    expect([...first.requested, ...second.requested, ...rest.requested]).toEqual(TO_ARCHIVE);
  });

  it('stops where a request could not be sent, with a cursor that loses nothing', async () => {
    const refusing = fakeDestination((request) =>
      request.packageId === 13
        ? { ok: false, reason: 'InvalidParameterValue: nope', retryable: false }
        : undefined,
    );
    const first = await backfill([], { destination: refusing, pageSize: 30 });
    expect(first.ran.code).toBe(1);
    expect(first.ran.stderr).toBe(
      'archive --all-completed stopped after requesting 9 packages: package 13 could not be put ' +
        'on ArchiveQueue signinghub-finish-test-Archive (InvalidParameterValue: nope); continue ' +
        `with npm run archive -- --all-completed --after ${cursor(11)}\n`,
    );
    expect(first.calls).toHaveLength(1);
    const rest = await backfill(['--after', cursor(11)], { pageSize: 30 });
    expect(new Set([...first.requested, ...rest.requested])).toEqual(new Set(TO_ARCHIVE));
    expect(rest.requested[0]).toBe(13);
  });

  it("resumes from the run's own --after when the first package of a page could not be sent", async () => {
    const refusing = fakeDestination((request) =>
      request.packageId === 10 ? { ok: false, reason: 'Throttled', retryable: true } : undefined,
    );
    const { ran } = await backfill(['--after', cursor(9)], { destination: refusing, pageSize: 5 });
    expect(ran.stderr).toBe(
      'archive --all-completed stopped after requesting 3 packages: package 10 could not be put ' +
        'on ArchiveQueue signinghub-finish-test-Archive (Throttled); continue with npm run ' +
        `archive -- --all-completed --after ${cursor(9)}\n`,
    );
  });

  it('says where to continue when a page of the Scan fails', async () => {
    const { ran, requested } = await backfill(['--tenant', 'default'], {
      pageSize: 10,
      failScanAt: 10,
    });
    expect(requested).toEqual([1, 2, 3, 5, 6, 7, 9, 10]);
    expect(ran.stderr).toBe(
      'archive --all-completed stopped after requesting 8 packages: the Scan of table ' +
        'signinghub-finish-test failed (ProvisionedThroughputExceededException: Throughput ' +
        'exceeds the limit); continue with npm run archive -- --all-completed --tenant default ' +
        `--after ${cursor(10)}\n`,
    );
  });

  it('says to start again from the beginning when the first page of the Scan fails', async () => {
    const { ran, requested } = await backfill([], { pageSize: 10, failScanAt: 0 });
    expect(requested).toEqual([]);
    expect(ran.stderr).toMatch(
      /^archive --all-completed stopped after requesting 0 packages: the Scan of table .*; continue with npm run archive -- --all-completed\n$/,
    );
  });

  it('requests on a later page only what --max leaves', async () => {
    const { requested, calls } = await backfill(['--max', '10'], { pageSize: 10 });
    expect(requested).toEqual(TO_ARCHIVE.slice(0, 10));
    expect(calls.flat()).toHaveLength(10);
  });

  it("requests one tenant's packages with --tenant, and says when none is left", async () => {
    const rows: Row[] = [
      { packageId: 1, tenant: 'default', candidate: true },
      { packageId: 1, tenant: 'acme', candidate: true },
      { packageId: 2, tenant: 'acme', candidate: false },
      { packageId: 3, tenant: 'acme', candidate: true },
    ];
    const acme = await backfill(['--tenant', 'acme'], { rows, pageSize: 10 });
    expect(acme.scans.map((scan) => scan.tenant)).toEqual(['acme']);
    expect(acme.calls.flat()).toEqual([
      { packageId: 1, tenant: 'acme', force: false },
      { packageId: 3, tenant: 'acme', force: false },
    ]);
    expect(acme.ran.stdout).toContain('archive: requested 2 packages of tenant acme (0 of them');
    const none = await backfill(['--tenant', 'acme'], { rows: rows.slice(2, 3), pageSize: 10 });
    expect(linesOf(none.ran)).toEqual([
      'page 1: requested 0 packages of 1 item read; the table is read to its end',
      'no COMPLETED package of tenant acme is left to archive in stage test in eu-west-1: ' +
        'nothing requested',
      '',
    ]);
    const mine = await backfill(['--tenant', 'default'], { rows, pageSize: 10 });
    expect(mine.calls.flat()).toEqual([{ packageId: 1, tenant: 'default', force: false }]);
    expect(mine.ran.stdout).toContain('requested 1 package of the default tenant (0 of them');
  });

  it('answers in JSON on stdout, its pages on stderr', async () => {
    const { ran } = await backfill(['--json', '--max', '3'], { pageSize: 10 });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe(
      `page 1: requested 3 packages of 10 items read; continue after it with --after ${cursor(3)}\n`,
    );
    expect(JSON.parse(ran.stdout)).toEqual({
      stage: 'test',
      region: 'eu-west-1',
      stackName: 'signinghub-finish-test',
      tableName: 'signinghub-finish-test',
      tenant: null,
      destination: 'ArchiveQueue signinghub-finish-test-Archive',
      requested: 3,
      failedBefore: 1,
      pages: 1,
      scanned: 10,
      next: cursor(3),
      packages: [
        { packageId: 1, tenant: 'default', id: 'm-1' },
        { packageId: 2, tenant: 'default', id: 'm-2' },
        { packageId: 3, tenant: 'default', id: 'm-3' },
      ],
    });
    const all = await backfill(['--json'], { pageSize: 100 });
    expect(JSON.parse(all.ran.stdout)).toMatchObject({ requested: 23, next: null });
  });
});

describe('sendRequests', () => {
  const request = (packageId: number) => ({ packageId, tenant: 'default', force: false });
  const noWait = async () => undefined;

  it('keeps a refusal that cannot pass while it sends the passing ones again', async () => {
    const destination = fakeDestination((sent, attempt) =>
      sent.packageId === 1
        ? { ok: false, reason: 'InvalidParameterValue: no', retryable: false }
        : sent.packageId === 2 && attempt === 1
          ? { ok: false, reason: 'Throttled', retryable: true }
          : undefined,
    );
    const result = await sendRequests(
      destination.destination,
      [request(1), request(2), request(3)],
      String,
      noWait,
    );
    expect(destination.calls.map((call) => call.map((sent) => sent.packageId))).toEqual([
      [1, 2, 3],
      [2],
    ]);
    expect(result.failed).toEqual({ index: 0, reason: 'InvalidParameterValue: no' });
    expect(result.sent.map((sent) => [sent.index, sent.request.packageId])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('sends nothing after a batch that failed', async () => {
    const destination = fakeDestination((sent) =>
      sent.packageId === 12 ? new Error('socket hang up') : undefined,
    );
    const requests = Array.from({ length: 25 }, (_, index) => request(index + 1));
    const result = await sendRequests(
      destination.destination,
      requests,
      (error) => `described: ${String(error)}`,
      noWait,
    );
    expect(destination.calls.map((call) => call.length)).toEqual([10, 10]);
    expect(result.failed).toEqual({ index: 10, reason: 'described: Error: socket hang up' });
    expect(result.sent).toHaveLength(10);
  });
});

describe('sendRequests, sending again', () => {
  const request = (packageId: number) => ({ packageId, tenant: 'default', force: false });

  it('waits before each try after the first, longer each time, and takes a refusal that passes', async () => {
    const destination = fakeDestination((sent, attempt) =>
      sent.packageId === 2 && attempt < 3
        ? { ok: false, reason: 'Throttled', retryable: true }
        : undefined,
    );
    const waits: number[] = [];
    const result = await sendRequests(
      destination.destination,
      [request(1), request(2)],
      String,
      async (attempt) => waits.push(attempt),
    );
    expect(waits).toEqual([1, 2]);
    expect(result.failed).toBeUndefined();
    expect(result.sent.map((sent) => sent.request.packageId)).toEqual([1, 2]);
  });

  it('sends a request with no answer again, and says so when it never gets one', async () => {
    const calls: number[][] = [];
    const result = await sendRequests(
      {
        send: async (requests) => {
          calls.push(requests.map((sent) => sent.packageId));
          return requests.length > 1 ? [{ ok: true, id: 'm-1' }] : [];
        },
      },
      [request(1), request(2)],
      String,
      async () => undefined,
    );
    expect(calls).toEqual([[1, 2], [2], [2]]);
    expect(result).toEqual({
      sent: [{ request: request(1), index: 0, id: 'm-1' }],
      failed: { index: 1, reason: 'no answer for it' },
    });
  });

  it('names the first of several requests refused', async () => {
    const destination = fakeDestination((sent) =>
      sent.packageId % 2 === 0
        ? { ok: false, reason: `no ${sent.packageId}`, retryable: false }
        : undefined,
    );
    const requests = [1, 2, 3, 4, 5, 6].map(request);
    const result = await sendRequests(destination.destination, requests, String);
    expect(result.failed).toEqual({ index: 1, reason: 'no 2' });
  });
});
