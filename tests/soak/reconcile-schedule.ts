import type { ReconcileModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { ReconcileSummary } from '../../lib/reconcile/reconcile-packages.ts';
import { scheduledEvent } from '../support/factories.ts';

export interface ReconcileSchedule {
  /** Each scheduled run's summary, or 'failed' when the handler threw. */
  readonly runs: readonly (ReconcileSummary | 'failed')[];
  /** Stops the schedule and waits for a run under way. */
  stop(): Promise<void>;
}

/** The reconcile function on its schedule; a run not done when the next is due is not doubled. */
export const scheduleReconciler = (module: ReconcileModule, everyMs: number): ReconcileSchedule => {
  const runs: (ReconcileSummary | 'failed')[] = [];
  let reconciling: Promise<void> | undefined;
  const reconcileOnce = () => {
    reconciling ??= module
      .handler(scheduledEvent(), lambdaContext(60_000))
      .then(
        (summary) => {
          runs.push(summary);
        },
        () => {
          runs.push('failed');
        },
      )
      .finally(() => {
        reconciling = undefined;
      });
    return reconciling;
  };
  const timer = setInterval(() => void reconcileOnce(), everyMs);
  return {
    runs,
    stop: async () => {
      clearInterval(timer);
      await reconciling;
    },
  };
};
