import { describe, expect, it } from 'vitest';
import { type ConfirmDependencies, confirmPackage } from '../../../lib/confirm/confirm-package.ts';
import { silentLog } from '../../../lib/logger.ts';
import type { ConfirmationResult } from '../../../lib/store/ports.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { busy } from '../../support/signinghub-errors.ts';

/** SigningHub says `workflowStatus` (undefined: 404); the store answers `stored`. */
const setup = (workflowStatus: string | undefined | Error, stored: ConfirmationResult) => {
  const metrics = recordMetrics();
  const deps: ConfirmDependencies = {
    packages: { recordConfirmation: async () => stored },
    signingHub: {
      getWorkflow: async (packageId) => {
        if (workflowStatus instanceof Error) throw workflowStatus;
        return workflowStatus === undefined ? undefined : { packageId, workflowStatus };
      },
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics,
  };
  return { deps, metrics };
};

describe('confirmPackage metrics', () => {
  it.each([
    ['COMPLETED', 'COMPLETED', 'PackageCompleted'],
    ['DECLINED', 'DECLINED', 'PackageDeclined'],
    [undefined, 'DELETED', 'PackageDeleted'],
  ] as const)('counts a package that %s made final', async (workflowStatus, status, metric) => {
    const { deps, metrics } = setup(workflowStatus, { status, becameFinal: true });
    await confirmPackage(1, deps, silentLog);
    expect(metrics.points).toEqual([{ name: metric, unit: 'Count', value: 1 }]);
  });

  it('counts nothing when the package was final already, or is still open', async () => {
    const final = setup('COMPLETED', { status: 'COMPLETED', becameFinal: false });
    await confirmPackage(1, final.deps, silentLog);
    const open = setup('SHARED', { status: 'IN_PROGRESS', becameFinal: false });
    await confirmPackage(1, open.deps, silentLog);
    expect([...final.metrics.points, ...open.metrics.points]).toEqual([]);
  });

  it('counts nothing when SigningHub could not confirm', async () => {
    const { deps, metrics } = setup(busy('workflow'), { status: 'COMPLETED', becameFinal: true });
    expect(await confirmPackage(1, deps, silentLog)).toMatchObject({ confirmed: false });
    expect(metrics.points).toEqual([]);
  });
});
