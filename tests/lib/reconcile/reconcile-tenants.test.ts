import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../lib/logger.ts';
import type { ReconcileDependencies } from '../../../lib/reconcile/reconcile-packages.ts';
import {
  type ReconcileTenant,
  reconcileTenants,
} from '../../../lib/reconcile/reconcile-tenants.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { busy } from '../../support/signinghub-errors.ts';
import { recordLog } from '../aws/secrets-fixture.ts';

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
      // The cursor is the offset of the next page.
      listStalePackages: async (_before, limit, cursor) => {
        const ids = stale[tenant] ?? [];
        const start = Number(cursor ?? 0);
        const end = start + limit;
        return { packageIds: ids.slice(start, end), next: end < ids.length ? `${end}` : undefined };
      },
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
  const opened: string[] = [];
  const open = async (tenant: string): Promise<ReconcileTenant> => {
    opened.push(tenant);
    return options.unreadable?.includes(tenant)
      ? { ok: false, message: `tenant ${tenant}: the secret lacks base_url` }
      : { ok: true, deps: sideOf(tenant) };
  };
  const tenants = async () => Object.keys(stale).filter((tenant) => tenant !== 'default');
  return { deps: { tenants, open, metrics }, metrics, confirmed, workflowReads, opened };
};

describe('reconcileTenants', () => {
  it('confirms every tenant’s open packages, each with its own tenant’s side', async () => {
    const { deps, confirmed } = setup({ default: [1, 2], acme: [1], beta: [3] });
    const summary = await reconcileTenants(deps, OPTIONS, silentLog);
    expect(confirmed.sort()).toEqual(['acme 1', 'beta 3', 'default 1', 'default 2']);
    expect(summary).toMatchObject({ checked: 4, final: 4, tenants: 3, skipped: [], more: false });
  });

  it('reconciles the default tenant once, even when the tenants listed name it', async () => {
    const { deps, confirmed, opened } = setup({ default: [1], acme: [2] });
    const tenants = async () => ['acme', 'default'];
    const summary = await reconcileTenants({ ...deps, tenants }, OPTIONS, silentLog);
    expect(opened.sort()).toEqual(['acme', 'default']);
    expect(confirmed.sort()).toEqual(['acme 2', 'default 1']);
    expect(summary.tenants).toBe(2);
  });

  it('opens no tenant once its signal is aborted', async () => {
    const { deps, opened, metrics } = setup(
      { default: [1], broken: [2] },
      { unreadable: ['broken'] },
    );
    const summary = await reconcileTenants(
      deps,
      { ...OPTIONS, signal: AbortSignal.abort() },
      silentLog,
    );
    expect(opened).toEqual([]);
    expect(summary).toMatchObject({ checked: 0, skipped: [], more: false });
    expect(metrics.total('TenantUnavailable')).toBe(0);
  });

  it('logs each tenant skipped, by name but for default, and the run’s summary', async () => {
    const { deps } = setup(
      { default: [1], broken: [2], acme: [3] },
      { unreadable: ['default', 'broken'] },
    );
    const log = recordLog();
    await reconcileTenants(deps, { ...OPTIONS, tenantConcurrency: 1 }, log);
    const ours = log.lines.filter(({ message }) => !message.startsWith('reconcile run finished'));
    expect(ours.filter(({ message }) => !message.startsWith('package '))).toEqual([
      {
        level: 'warn',
        message: 'tenant skipped: its settings cannot be read',
        fields: { reason: 'tenant default: the secret lacks base_url' },
      },
      {
        level: 'warn',
        message: 'tenant skipped: its settings cannot be read',
        fields: { tenant: 'broken', reason: 'tenant broken: the secret lacks base_url' },
      },
      {
        level: 'info',
        message: 'reconcile run over all tenants finished',
        fields: {
          checked: 1,
          final: 1,
          stillInProgress: 0,
          unconfirmed: 0,
          more: false,
          tenants: 3,
          skipped: ['default', 'broken'],
        },
      },
    ]);
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
    expect(summary.more).toBe(true);
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
