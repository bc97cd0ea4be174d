import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../lib/logger.ts';
import {
  type ReconcileDependencies,
  reconcilePackages,
} from '../../../lib/reconcile/reconcile-packages.ts';
import type { ConfirmationResult } from '../../../lib/store/ports.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';

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
