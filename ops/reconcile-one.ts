import { confirmPackage } from '../lib/confirm/confirm-package.ts';
import { silentLog } from '../lib/logger.ts';
import { NO_METRICS } from '../lib/metrics.ts';
import type { WorkflowPort } from '../lib/signinghub/ports.ts';
import { isFinalPackageStatus, type PackageStatus } from '../lib/store/items.ts';
import type { PackageRef } from '../lib/store/keys.ts';
import type { PackageStore } from '../lib/store/ports.ts';
import { checkPackage, packageArgs, packageName } from './operator-target.ts';
import { UserError } from './user-error.ts';

export interface ReconcileOneDependencies {
  readonly packages: Pick<PackageStore, 'getPackage' | 'recordConfirmation'>;
  readonly signingHub: WorkflowPort;
  readonly now: () => Date;
  /** What the user knows the table by, for the line that says the package is not there. */
  readonly tableName: string;
  readonly where: string;
}

export interface ReconcileOneResult {
  readonly packageId: number;
  readonly tenant: string;
  /** Its status before; a final one was not asked about again. */
  readonly before: PackageStatus;
  readonly after: PackageStatus;
  /** SigningHub's own word (`workflow_status`), or 404 for a package it no longer has. */
  readonly signingHubSays: string | undefined;
  /** This confirmation made it final (the stream then publishes its completion event). */
  readonly becameFinal: boolean;
}

/**
 * Confirms one package with SigningHub now, as the callback and the reconciler do (the same use
 * case, confirmPackage). Only a package the table knows: an id mistyped must not become DELETED.
 */
export const reconcileOne = async (
  { packageId, tenant }: PackageRef,
  deps: ReconcileOneDependencies,
): Promise<ReconcileOneResult> => {
  const name = packageName(packageId, tenant);
  const before = await deps.packages.getPackage(packageId);
  if (!before) {
    throw new UserError(
      `${name} is not in the table ${deps.tableName} (${deps.where}): its first finish or ` +
        `callback puts it there; ${checkPackage(tenant)}`,
    );
  }
  if (isFinalPackageStatus(before.status)) {
    return {
      packageId,
      tenant,
      before: before.status,
      after: before.status,
      signingHubSays: before.workflowStatus,
      becameFinal: false,
    };
  }
  let signingHubSays: string | undefined;
  const signingHub: WorkflowPort = {
    getWorkflow: async (id, options) => {
      const workflow = await deps.signingHub.getWorkflow(id, options);
      signingHubSays = workflow ? workflow.workflowStatus : '404';
      return workflow;
    },
  };
  const result = await confirmPackage(
    packageId,
    { packages: deps.packages, signingHub, now: deps.now, metrics: NO_METRICS },
    silentLog,
  );
  if (!result.confirmed) {
    throw new UserError(
      `${name}: could not confirm it with SigningHub (${result.reason}); nothing changed: try ` +
        'again later (the reconciler also tries on its schedule)',
    );
  }
  return {
    packageId,
    tenant,
    before: before.status,
    after: result.status,
    signingHubSays,
    becameFinal: result.becameFinal,
  };
};

/** The line that says what reconcile did. */
export const describeReconcile = (result: ReconcileOneResult): string => {
  const { packageId, tenant, before, after } = result;
  const name = packageName(packageId, tenant);
  if (isFinalPackageStatus(before)) {
    return (
      `${name} is already ${before}: nothing to confirm (a final status stays); ` +
      `npm run republish -- ${packageArgs(packageId, tenant)} sends its completion event again`
    );
  }
  const says =
    result.signingHubSays === '404'
      ? 'SigningHub no longer has it (404)'
      : `SigningHub says ${result.signingHubSays ?? 'nothing about its workflow'}`;
  if (result.becameFinal) {
    return `${name}: ${says}; recorded ${after}, final now (the stream publishes its completion event)`;
  }
  if (isFinalPackageStatus(after)) {
    return `${name}: ${says}; it became ${after} meanwhile, which stays`;
  }
  return `${name}: ${says}; still ${after}`;
};
