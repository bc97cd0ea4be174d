import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../lib/logger.ts';
import {
  type ReconcileDependencies,
  reconcilePackages,
} from '../../../lib/reconcile/reconcile-packages.ts';
import type { ConfirmationResult } from '../../../lib/store/ports.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { busy } from '../../support/signinghub-errors.ts';

const OPTIONS = { afterSeconds: 900, maxPackages: 10, pageSize: 10, concurrency: 2 };

/** Stale packages 1..n, all COMPLETED at SigningHub; the store answers `stored` for each. */
const setup = (stored: (packageId: number) => ConfirmationResult | Error, stale: number[]) => {
  const metrics = recordMetrics();
  const deps: ReconcileDependencies = {
    packages: {
      listStalePackages: async () => ({ packageIds: stale, next: undefined }),
      recordConfirmation: async (packageId) => {
        const answer = stored(packageId);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    signingHub: { getWorkflow: async (packageId) => ({ packageId, workflowStatus: 'COMPLETED' }) },
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics,
  };
  return { deps, metrics };
};

describe('reconcilePackages metrics', () => {
  it('counts as confirmed only the packages this run made final', async () => {
    // Package 2 was made final by a callback between the listing and the confirmation.
    const { deps, metrics } = setup(
      (packageId) => ({ status: 'COMPLETED', becameFinal: packageId !== 2 }),
      [1, 2, 3],
    );
    expect(await reconcilePackages(deps, OPTIONS, silentLog)).toMatchObject({
      checked: 3,
      final: 3,
    });
    expect(metrics.values('ReconcileChecked')).toEqual([3]);
    expect(metrics.values('ReconcileConfirmed')).toEqual([2]);
    expect(metrics.total('PackageCompleted')).toBe(2);
  });

  it('still says what a run checked when it fails halfway', async () => {
    const { deps, metrics } = setup(() => new Error('ProvisionedThroughputExceededException'), [1]);
    await expect(reconcilePackages(deps, OPTIONS, silentLog)).rejects.toThrow('Provisioned');
    expect(metrics.values('ReconcileChecked')).toEqual([1]);
    expect(metrics.values('ReconcileConfirmed')).toEqual([0]);
  });
});

/** The index of open packages, a page of at most the limit asked for at a time, and the calls it got. */
const pagedStore = (stale: readonly number[]) => {
  const calls: { before: string; limit: number; cursor: string | undefined }[] = [];
  const confirmed: number[] = [];
  const packages: ReconcileDependencies['packages'] = {
    listStalePackages: async (before, limit, cursor) => {
      calls.push({ before: before.toISOString(), limit, cursor });
      const start = cursor === undefined ? 0 : Number(cursor);
      const end = Math.min(start + limit, stale.length);
      return {
        packageIds: stale.slice(start, end),
        next: end < stale.length ? String(end) : undefined,
      };
    },
    recordConfirmation: async (packageId, confirmation) => {
      confirmed.push(packageId);
      return { status: confirmation.status, becameFinal: confirmation.status !== 'IN_PROGRESS' };
    },
  };
  return { calls, confirmed, packages };
};

const pagedSetup = (
  stale: readonly number[],
  workflowStatus: (packageId: number) => string | Error = () => 'COMPLETED',
) => {
  const store = pagedStore(stale);
  const deps: ReconcileDependencies = {
    packages: store.packages,
    signingHub: {
      getWorkflow: async (packageId) => {
        const status = workflowStatus(packageId);
        if (status instanceof Error) throw status;
        return { packageId, workflowStatus: status };
      },
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics: recordMetrics(),
  };
  return { ...store, deps };
};

describe('reconcilePackages paging', () => {
  it('asks for packages unchanged for afterSeconds, page by page with the cursor it was given', async () => {
    const { calls, confirmed, deps } = pagedSetup([1, 2, 3, 4, 5]);
    const summary = await reconcilePackages(
      deps,
      { ...OPTIONS, afterSeconds: 900, pageSize: 2 },
      silentLog,
    );
    expect(calls).toEqual([
      { before: '2026-11-27T09:45:00.000Z', limit: 2, cursor: undefined },
      { before: '2026-11-27T09:45:00.000Z', limit: 2, cursor: '2' },
      { before: '2026-11-27T09:45:00.000Z', limit: 2, cursor: '4' },
    ]);
    expect(confirmed.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(summary).toEqual({
      checked: 5,
      final: 5,
      stillInProgress: 0,
      unconfirmed: 0,
      more: false,
    });
  });

  it('asks for no more than the room left under maxPackages, and says there is more', async () => {
    const { calls, confirmed, deps } = pagedSetup([1, 2, 3, 4, 5, 6]);
    const summary = await reconcilePackages(
      deps,
      { ...OPTIONS, maxPackages: 4, pageSize: 3 },
      silentLog,
    );
    expect(calls.map(({ limit, cursor }) => [limit, cursor])).toEqual([
      [3, undefined],
      [1, '3'],
    ]);
    expect(confirmed.sort()).toEqual([1, 2, 3, 4]);
    expect(summary).toMatchObject({ checked: 4, more: true });
  });

  it('says there is no more when the last page ends exactly at maxPackages', async () => {
    const { calls, deps } = pagedSetup([1, 2, 3, 4]);
    const summary = await reconcilePackages(
      deps,
      { ...OPTIONS, maxPackages: 4, pageSize: 2 },
      silentLog,
    );
    expect(calls).toHaveLength(2);
    expect(summary).toMatchObject({ checked: 4, more: false });
  });

  it('checks nothing more once its signal has fired, and says there is more', async () => {
    const controller = new AbortController();
    const { calls, confirmed, deps } = pagedSetup([1, 2, 3, 4], (packageId) => {
      if (packageId === 2) controller.abort();
      return 'COMPLETED';
    });
    const summary = await reconcilePackages(
      deps,
      // Package 3 is on the same page, not yet started when the signal fires.
      { ...OPTIONS, pageSize: 3, concurrency: 1, signal: controller.signal },
      silentLog,
    );
    expect(calls).toHaveLength(1);
    expect(confirmed).toEqual([1, 2]);
    expect(summary).toMatchObject({ checked: 2, more: true });
  });

  it('counts each package by what SigningHub said of it', async () => {
    const answers: Record<number, string | Error> = {
      1: 'COMPLETED',
      2: 'IN_PROGRESS',
      3: 'DECLINED',
      4: busy('workflow'),
      5: 'IN_PROGRESS',
    };
    const { deps } = pagedSetup([1, 2, 3, 4, 5], (packageId) => answers[packageId] ?? 'COMPLETED');
    expect(await reconcilePackages(deps, OPTIONS, silentLog)).toEqual({
      checked: 5,
      final: 2,
      stillInProgress: 2,
      unconfirmed: 1,
      more: false,
    });
  });
});
