import { mapWithConcurrency } from '../concurrency.ts';
import { type Log, withKeys } from '../logger.ts';
import type { CountMetric, MetricsPort } from '../metrics.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import {
  type ReconcileDependencies,
  type ReconcileOptions,
  type ReconcileSummary,
  reconcilePackages,
} from './reconcile-packages.ts';

/** A tenant's side of a reconcile run, or why it cannot be read now. */
export type ReconcileTenant =
  | { readonly ok: true; readonly deps: ReconcileDependencies }
  | { readonly ok: false; readonly message: string };

export interface ReconcileTenantsDependencies {
  /** The tenants other than `default` that have packages; absent: there are none. */
  readonly tenants?: (() => Promise<readonly string[]>) | undefined;
  /** Each tenant's store and SigningHub (the default tenant's included). */
  readonly open: (tenant: string) => Promise<ReconcileTenant>;
  readonly metrics: MetricsPort;
}

export interface ReconcileTenantsOptions extends ReconcileOptions {
  /** Tenants reconciled at once: a tenant whose host hangs holds back only its own packages. */
  readonly tenantConcurrency: number;
}

export interface ReconcileTenantsSummary extends Omit<ReconcileSummary, 'more'> {
  readonly more: boolean;
  readonly tenants: number;
  /** Tenants whose settings could not be read: their packages wait for a later run. */
  readonly skipped: readonly string[];
}

/** The run's own totals: one data point each per run, however many tenants it went through. */
const RUN_TOTALS: ReadonlySet<CountMetric> = new Set<CountMetric>([
  'ReconcileChecked',
  'ReconcileConfirmed',
]);

/**
 * Confirms the open packages of every tenant, each with its own tenant's SigningHub, several
 * tenants at once, each with its share of the run's packages. A tenant whose settings cannot be
 * read is skipped (logged, TenantUnavailable) and the others go on.
 */
export const reconcileTenants = async (
  deps: ReconcileTenantsDependencies,
  options: ReconcileTenantsOptions,
  log: Log,
): Promise<ReconcileTenantsSummary> => {
  const others = deps.tenants ? await deps.tenants() : [];
  const tenants = [DEFAULT_TENANT, ...others.filter((tenant) => tenant !== DEFAULT_TENANT)];
  // Each tenant's share, so that a run over many tenants still fits its time.
  const share = Math.max(10, Math.ceil(options.maxPackages / tenants.length));
  const totals = { checked: 0, final: 0, stillInProgress: 0, unconfirmed: 0 };
  const run = new Map<CountMetric, number>();
  // Per-tenant counts add up here; everything else goes straight through.
  const metrics: MetricsPort = {
    count: (name, value = 1) => {
      if (RUN_TOTALS.has(name)) run.set(name, (run.get(name) ?? 0) + value);
      else deps.metrics.count(name, value);
    },
    milliseconds: (name, value) => deps.metrics.milliseconds(name, value),
  };
  const skipped: string[] = [];
  let more = false;
  try {
    await mapWithConcurrency(tenants, options.tenantConcurrency, async (tenant) => {
      if (options.signal?.aborted) return;
      const tenantLog = tenant === DEFAULT_TENANT ? log : withKeys(log, { tenant });
      const side = await deps.open(tenant);
      if (!side.ok) {
        skipped.push(tenant);
        deps.metrics.count('TenantUnavailable');
        tenantLog.warn('tenant skipped: its settings cannot be read', { reason: side.message });
        return;
      }
      const summary = await reconcilePackages(
        { ...side.deps, metrics },
        { ...options, maxPackages: share },
        tenantLog,
      );
      totals.checked += summary.checked;
      totals.final += summary.final;
      totals.stillInProgress += summary.stillInProgress;
      totals.unconfirmed += summary.unconfirmed;
      more ||= summary.more;
    });
  } finally {
    for (const name of RUN_TOTALS) deps.metrics.count(name, run.get(name) ?? 0);
  }
  const result = { ...totals, more, tenants: tenants.length, skipped };
  log.info('reconcile run over all tenants finished', { ...result });
  return result;
};
