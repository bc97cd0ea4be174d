import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { packageArgs } from '../ops/operator-target.ts';
import { simulatorRequest } from '../ops/stack-client.ts';
import type { StackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { enterpriseQuery } from './local-tenants.ts';

/** A package as the simulator's control API describes it. */
export interface SimulatedPackage {
  readonly workflowStatus: string;
  readonly signers: readonly { readonly email: string; readonly processStatus: string }[];
}

/** The package the tenant's enterprise in the simulator holds, or undefined when it has none. */
export const simulatedPackage = async (
  state: StackState,
  packageId: number,
  tenant: string = DEFAULT_TENANT,
): Promise<SimulatedPackage | undefined> => {
  const { status, body } = await simulatorRequest(
    state,
    'GET',
    `/_simulator/packages/${packageId}${enterpriseQuery(tenant)}`,
  );
  if (status === 404) return undefined;
  if (status !== 200)
    throw new UserError(`the simulator did not describe package ${packageId} (${status})`);
  return body as SimulatedPackage;
};

/** How the tenant's enterprise calls back now (query, webhook, report), or undefined when it does not. */
export const simulatorCallbackMode = async (
  state: StackState,
  tenant: string = DEFAULT_TENANT,
): Promise<string | undefined> => {
  const { status, body } = await simulatorRequest(
    state,
    'GET',
    `/_simulator/callback${enterpriseQuery(tenant)}`,
  );
  if (status !== 200)
    throw new UserError(`the simulator did not say its callback mode (${status})`);
  const callback = (body as { callback: { mode: string } | null }).callback;
  return callback?.mode;
};

/** The `--tenant` words of a command line: none for default. */
export const tenantArgs = (tenant: string): string =>
  tenant === DEFAULT_TENANT ? '' : ` --tenant ${tenant}`;

/** The command that turns the simulator's callbacks back on. */
export const callbacksOn = (tenant: string = DEFAULT_TENANT): string =>
  `npm run simulator -- callback query${tenantArgs(tenant)}`;

/** What to say where the simulator will not call back: who confirms the package instead. */
export const callbacksOffNote = (packageId: number, tenant: string = DEFAULT_TENANT): string =>
  "the simulator's callbacks are off, so nothing calls back: npm run reconcile -- " +
  `${packageArgs(packageId, tenant)} confirms the package with SigningHub at once (the ` +
  `reconciler does it on its 15-minute schedule); ${callbacksOn(tenant)} turns callbacks on`;
