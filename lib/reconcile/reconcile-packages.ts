import { mapWithConcurrency } from '../concurrency.ts';
import { type ConfirmDependencies, confirmPackage } from '../confirm/confirm-package.ts';
import { type Log, withKeys } from '../logger.ts';
import type { PackageStore } from '../store/ports.ts';

export interface ReconcileDependencies extends ConfirmDependencies {
  readonly packages: ConfirmDependencies['packages'] & Pick<PackageStore, 'listStalePackages'>;
}

export interface ReconcileOptions {
  /** Packages whose last change is older than this are confirmed. */
  readonly afterSeconds: number;
  /** At most this many packages per run, so one run fits its timeout; the rest wait for the next. */
  readonly maxPackages: number;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
}

export interface ReconcileSummary {
  readonly checked: number;
  readonly final: number;
  readonly stillInProgress: number;
  readonly unconfirmed: number;
  /** True when the run stopped at maxPackages (or its signal) with stale packages left. */
  readonly more: boolean;
}

/** Confirms packages whose callback never came, from the index of open packages (no Scan). */
export const reconcilePackages = async (
  deps: ReconcileDependencies,
  options: ReconcileOptions,
  log: Log,
): Promise<ReconcileSummary> => {
  const before = new Date(deps.now().getTime() - options.afterSeconds * 1000);
  const counts = { checked: 0, final: 0, stillInProgress: 0, unconfirmed: 0 };
  // Made final by this run (a package a callback made final meanwhile is final, not confirmed).
  let confirmed = 0;
  let cursor: string | undefined;
  let more = false;
  try {
    do {
      const room = options.maxPackages - counts.checked;
      const page = await deps.packages.listStalePackages(
        before,
        Math.min(options.pageSize, room),
        cursor,
      );
      cursor = page.next;
      await mapWithConcurrency(page.packageIds, options.concurrency, async (packageId) => {
        if (options.signal?.aborted) return;
        counts.checked += 1;
        const result = await confirmPackage(
          packageId,
          deps,
          withKeys(log, { packageId }),
          options.signal,
        );
        if (!result.confirmed) counts.unconfirmed += 1;
        else if (result.status === 'IN_PROGRESS') counts.stillInProgress += 1;
        else {
          counts.final += 1;
          if (result.becameFinal) confirmed += 1;
        }
      });
      more =
        cursor !== undefined &&
        (counts.checked >= options.maxPackages || options.signal?.aborted === true);
    } while (cursor !== undefined && !more);
  } finally {
    // One data point each per run, zero included: a run that stopped halfway still says so.
    deps.metrics.count('ReconcileChecked', counts.checked);
    deps.metrics.count('ReconcileConfirmed', confirmed);
  }
  const summary = { ...counts, more };
  log.info('reconcile run finished', { ...summary });
  return summary;
};
