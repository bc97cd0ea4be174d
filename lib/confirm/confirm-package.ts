import type { Log } from '../logger.ts';
import type { CountMetric, MetricsPort } from '../metrics.ts';
import { isSigningHubError } from '../signinghub/errors.ts';
import type { WorkflowDetails, WorkflowPort } from '../signinghub/ports.ts';
import type { PackageStatus } from '../store/items.ts';
import type { Confirmation, PackageStore } from '../store/ports.ts';

export interface ConfirmDependencies {
  readonly packages: Pick<PackageStore, 'recordConfirmation'>;
  readonly signingHub: WorkflowPort;
  readonly now: () => Date;
  /** PackageCompleted, PackageDeclined or PackageDeleted when a confirmation makes one final. */
  readonly metrics: MetricsPort;
}

const FINAL_METRICS: Readonly<Record<Exclude<PackageStatus, 'IN_PROGRESS'>, CountMetric>> = {
  COMPLETED: 'PackageCompleted',
  DECLINED: 'PackageDeclined',
  DELETED: 'PackageDeleted',
};

export type ConfirmResult =
  | { readonly confirmed: true; readonly status: PackageStatus; readonly becameFinal: boolean }
  | { readonly confirmed: false; readonly reason: string };

/** SigningHub's workflow status as ours: only COMPLETED and DECLINED are final; 404 is DELETED. */
const confirmationFrom = (workflow: WorkflowDetails | undefined): Confirmation => {
  if (workflow === undefined) return { status: 'DELETED', workflowStatus: undefined };
  const word = workflow.workflowStatus;
  const status =
    word === 'COMPLETED' ? 'COMPLETED' : word === 'DECLINED' ? 'DECLINED' : 'IN_PROGRESS';
  return { status, workflowStatus: word };
};

/**
 * Asks SigningHub (as the account itself) what became of a package and records it: the one way
 * a package becomes final, used by the callback and the reconciler alike.
 */
export const confirmPackage = async (
  packageId: number,
  deps: ConfirmDependencies,
  log: Log,
  signal?: AbortSignal,
): Promise<ConfirmResult> => {
  let workflow: WorkflowDetails | undefined;
  try {
    workflow = await deps.signingHub.getWorkflow(packageId, { signal });
  } catch (error) {
    if (!isSigningHubError(error)) throw error;
    log.warn('could not confirm the package with SigningHub; the reconciler will', {
      lastError: error.toDetails(),
    });
    return { confirmed: false, reason: error.message };
  }
  const confirmation = confirmationFrom(workflow);
  const result = await deps.packages.recordConfirmation(packageId, confirmation, deps.now());
  log.info('package confirmed with SigningHub', {
    workflowStatus: confirmation.workflowStatus ?? '404',
    status: result.status,
    becameFinal: result.becameFinal,
  });
  if (result.becameFinal && result.status !== 'IN_PROGRESS') {
    deps.metrics.count(FINAL_METRICS[result.status]);
  }
  return { confirmed: true, status: result.status, becameFinal: result.becameFinal };
};
