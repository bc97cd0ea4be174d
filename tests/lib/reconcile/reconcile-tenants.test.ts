import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../lib/logger.ts';
import type { ReconcileDependencies } from '../../../lib/reconcile/reconcile-packages.ts';
import {
  type ReconcileTenant,
  reconcileTenants,
} from '../../../lib/reconcile/reconcile-tenants.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { busy } from '../../support/signinghub-errors.ts';

const OPTIONS = {
  afterSeconds: 900,
  maxPackages: 40,
  pageSize: 10,
  concurrency: 2,
  tenantConcurrency: 3,
};

/** Each tenant's stale packages; SigningHub says COMPLETED, or fails for a tenant that is down. */
const setup = (
  stale: Record<string, number[]>,
  options: { unreadable?: string[]; down?: string[] } = {},
) => {
  const metrics = recordMetrics();
  const confirmed: string[] = [];
  const workflowReads: string[] = [];
  const sideOf = (tenant: string): ReconcileDependencies => ({
    packages: {
      listStalePackages: async (_before, limit) => ({
        packageIds: (stale[tenant] ?? []).slice(0, limit),
        next: undefined,
      }),
      recordConfirmation: async (packageId, confirmation) => {
        confirmed.push(`${tenant} ${packageId}`);
        return { status: confirmation.status, becameFinal: true };
      },
    },
    signingHub: {
      getWorkflow: async (packageId) => {
        workflowReads.push(`${tenant} ${packageId}`);
        if (options.down?.includes(tenant)) throw busy();
        return { packageId, workflowStatus: 'COMPLETED' };
      },
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics,
  });
  const open = async (tenant: string): Promise<ReconcileTenant> =>
    options.unreadable?.includes(tenant)
      ? { ok: false, message: `tenant ${tenant}: the secret lacks base_url` }
      : { ok: true, deps: sideOf(tenant) };
  const tenants = async () => Object.keys(stale).filter((tenant) => tenant !== 'default');
  return { deps: { tenants, open, metrics }, metrics, confirmed, workflowReads };
};

describe('reconcileTenants', () => {
  it('confirms every tenant’s open packages, each with its own tenant’s side', async () => {
    const { deps, confirmed } = setup({ default: [1, 2], acme: [1], beta: [3] });
    const summary = await reconcileTenants(deps, OPTIONS, silentLog);
    expect(confirmed.sort()).toEqual(['acme 1', 'beta 3', 'default 1', 'default 2']);
    expect(summary).toMatchObject({ checked: 4, final: 4, tenants: 3, skipped: [] });
  });

  it('skips a tenant whose settings cannot be read, and goes on with the others', async () => {
    const { deps, confirmed, metrics } = setup(
      { default: [1], broken: [1, 2, 3], acme: [5] },
      { unreadable: ['broken'] },
    );
    const summary = await reconcileTenants(deps, OPTIONS, silentLog);
    expect(confirmed.sort()).toEqual(['acme 5', 'default 1']);
    expect(summary.skipped).toEqual(['broken']);
    expect(metrics.total('TenantUnavailable')).toBe(1);
  });

  it('gives each tenant a share of the run, so one tenant’s backlog never holds back another’s packages', async () => {
    const backlog = Array.from({ length: 500 }, (_, i) => i + 1);
    const { deps, confirmed } = setup({ default: [], crowd: backlog, quiet: [7] });
    const summary = await reconcileTenants(deps, { ...OPTIONS, pageSize: 50 }, silentLog);
    expect(confirmed).toContain('quiet 7');
    // 40 packages a run over three tenants: at most 14 each.
    expect(confirmed.filter((entry) => entry.startsWith('crowd'))).toHaveLength(14);
    expect(summary.checked).toBe(15);
  });

  it('counts a tenant that is down as unconfirmed and confirms the others', async () => {
    const { deps, confirmed } = setup({ default: [1], down: [1, 2] }, { down: ['down'] });
    const summary = await reconcileTenants(deps, OPTIONS, silentLog);
    expect(confirmed).toEqual(['default 1']);
    expect(summary).toMatchObject({ checked: 3, unconfirmed: 2, final: 1 });
  });

  it('writes one data point per run of what it checked and confirmed, over all tenants', async () => {
    const { deps, metrics } = setup({ default: [1], acme: [1, 2] });
    await reconcileTenants(deps, OPTIONS, silentLog);
    expect(metrics.values('ReconcileChecked')).toEqual([3]);
    expect(metrics.values('ReconcileConfirmed')).toEqual([3]);
    expect(metrics.total('PackageCompleted')).toBe(3);
  });

  it('reconciles the default tenant alone when there are no tenants', async () => {
    const { deps, confirmed } = setup({ default: [4] });
    const summary = await reconcileTenants({ ...deps, tenants: undefined }, OPTIONS, silentLog);
    expect(confirmed).toEqual(['default 4']);
    expect(summary.tenants).toBe(1);
  });
});
