import { describe, expect, it } from 'vitest';
import type { FinishItem, PackageItem } from '../../lib/store/items.ts';
import type { PackageRecords } from '../../lib/store/package-reader.ts';
import { loadReports, type ReportSource, type SimulatorCall } from '../../ops/package-report.ts';
import { readerOf } from './command-run.ts';

const packageItem = (packageId: number, updatedAt: string): PackageItem => ({
  packageId,
  status: 'IN_PROGRESS',
  workflowStatus: undefined,
  callbacks: 0,
  lastCallbackAt: undefined,
  completedAt: undefined,
  updatedAt,
});

const finishItem = (packageId: number, updatedAt: string): FinishItem => ({
  packageId,
  signer: 'alice@example.com',
  status: 'SUCCEEDED',
  attempts: 1,
  lastError: undefined,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt,
  finishedAt: updatedAt,
});

/** A package's items: its package item changed at `packageAt`, its finishes at `finishesAt`. */
const records = (
  packageId: number,
  tenant: string,
  packageAt: string | undefined,
  ...finishesAt: string[]
): PackageRecords => ({
  tenant,
  packageId,
  package: packageAt === undefined ? undefined : packageItem(packageId, packageAt),
  finishes: finishesAt.map((at) => finishItem(packageId, at)),
});

const sourceOf = (all: readonly PackageRecords[], simulator?: SimulatorCall): ReportSource => ({
  reader: readerOf(all),
  listing: 'all',
  completionEvents: undefined,
  simulator,
});

describe('loadReports', () => {
  it("takes a package's latest change among all its items", async () => {
    const source = sourceOf([
      records(1, 'default', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z'),
      records(2, 'default', '2026-11-05T00:00:00.000Z', '2026-11-04T00:00:00.000Z'),
      records(3, 'default', undefined, '2026-11-01T00:00:00.000Z', '2026-11-06T00:00:00.000Z'),
    ]);
    const { reports } = await loadReports(source, { limit: 10 });
    expect(reports.map((report) => [report.packageId, report.updatedAt])).toEqual([
      [3, '2026-11-06T00:00:00.000Z'],
      [2, '2026-11-05T00:00:00.000Z'],
      [1, '2026-11-03T00:00:00.000Z'],
    ]);
  });

  it('lists the newest first, then the higher package id, then by tenant, those with no time last', async () => {
    const at = '2026-11-02T00:00:00.000Z';
    const source = sourceOf([
      records(5, 'default', ''),
      records(1, 'default', '2026-11-01T00:00:00.000Z'),
      records(7, 'default', at),
      records(9, 'zeta', at),
      records(9, 'acme', at),
    ]);
    const { reports, total } = await loadReports(source, { limit: 10 });
    expect(reports.map((report) => `${report.tenant}/${report.packageId}`)).toEqual([
      'acme/9',
      'zeta/9',
      'default/7',
      'default/1',
      'default/5',
    ]);
    expect(total).toBe(5);
    const dated = await loadReports(
      sourceOf([records(1, 'default', at), records(2, 'default', '')]),
      {
        limit: 10,
      },
    );
    expect(dated.reports.map((report) => report.packageId)).toEqual([1, 2]);
  });

  it("asks the simulator for each tenant's calls once, and takes none from an answer that is not 200", async () => {
    const asked: string[] = [];
    const simulator: SimulatorCall = async (_method, path) => {
      asked.push(path);
      if (path.startsWith('/_simulator/calls')) {
        return path.includes('acme')
          ? { status: 500, body: { callbacksSent: [{ packageId: 1, mode: 'x' }] } }
          : { status: 200, body: { callbacksSent: [{ packageId: 1, mode: 'push', status: 200 }] } };
      }
      return { status: 200, body: { workflowStatus: 'IN_PROGRESS', signers: [] } };
    };
    const at = '2026-11-02T00:00:00.000Z';
    const source = sourceOf(
      [
        records(1, 'default', at),
        records(2, 'default', at),
        records(1, 'acme', at),
        records(2, 'acme', at),
      ],
      simulator,
    );
    const { reports } = await loadReports(source, { limit: 10 });
    expect(asked.filter((path) => path.startsWith('/_simulator/calls'))).toEqual([
      '/_simulator/calls?enterprise=acme',
      '/_simulator/calls',
    ]);
    expect(
      reports.map((report) => [
        `${report.tenant}/${report.packageId}`,
        report.simulator?.callbacks.length,
      ]),
    ).toEqual([
      ['acme/2', 0],
      ['default/2', 0],
      ['acme/1', 0],
      ['default/1', 1],
    ]);
  });
});
