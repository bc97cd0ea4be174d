import { simulatorRequest } from '../ops/stack-client.ts';
import type { StackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';

/** A package as the simulator's control API describes it. */
export interface SimulatedPackage {
  readonly workflowStatus: string;
  readonly signers: readonly { readonly email: string; readonly processStatus: string }[];
}

/** The package the simulator holds, or undefined when it has none with that id. */
export const simulatedPackage = async (
  state: StackState,
  packageId: number,
): Promise<SimulatedPackage | undefined> => {
  const { status, body } = await simulatorRequest(
    state,
    'GET',
    `/_simulator/packages/${packageId}`,
  );
  if (status === 404) return undefined;
  if (status !== 200)
    throw new UserError(`the simulator did not describe package ${packageId} (${status})`);
  return body as SimulatedPackage;
};

/** How the simulator calls back now (query, webhook, report), or undefined when it does not. */
export const simulatorCallbackMode = async (state: StackState): Promise<string | undefined> => {
  const { status, body } = await simulatorRequest(state, 'GET', '/_simulator/callback');
  if (status !== 200)
    throw new UserError(`the simulator did not say its callback mode (${status})`);
  const callback = (body as { callback: { mode: string } | null }).callback;
  return callback?.mode;
};

/** The command that turns the simulator's callbacks back on. */
export const CALLBACKS_ON = 'npm run simulator -- callback query';

/** What to say where the simulator will not call back: who confirms the package instead. */
export const callbacksOffNote = (packageId: number): string =>
  "the simulator's callbacks are off, so nothing calls back: npm run reconcile -- " +
  `${packageId} confirms the package with SigningHub at once (the reconciler does it on its ` +
  `15-minute schedule); ${CALLBACKS_ON} turns callbacks on`;
