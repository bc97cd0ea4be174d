import { completionDetailType } from '../lib/events/completion-events.ts';
import { isFinalPackageStatus } from '../lib/store/items.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { packageArgs, packageName } from '../ops/operator-target.ts';
import type { PackageReport, SimulatorReport } from '../ops/package-report.ts';
import { callbacksOffNote, tenantArgs } from './simulator-client.ts';

/** What one signing event set going after its finish succeeded, as far as it has gone. */
export interface Completion {
  /** Nothing more is to come of it (or nothing can be told by waiting longer). */
  readonly settled: boolean;
  /** What to tell the user; nothing when there is nothing to tell. */
  readonly line: string | undefined;
}

type SimulatedCallback = SimulatorReport['callbacks'][number];

const callbackText = (callbacks: readonly SimulatedCallback[]): string =>
  callbacks
    .map((sent) => `${sent.mode} → ${sent.status ?? sent.error ?? 'no answer yet'}`)
    .join(', ');

const accepted = (sent: SimulatedCallback): boolean =>
  sent.status !== null && sent.status >= 200 && sent.status < 300 && sent.error === null;

const settled = (line: string | undefined): Completion => ({ settled: true, line });
const waiting = (line: string): Completion => ({ settled: false, line });

/** The signers still to finish, and the command for the next one. */
const stillToSign = (
  packageId: number,
  tenant: string,
  simulated: SimulatorReport | null,
): string | undefined => {
  const open = simulated?.signers.filter((signer) => signer.processStatus !== 'SIGNED') ?? [];
  const next = open[0];
  if (!next || simulated?.workflowStatus !== 'IN_PROGRESS') return undefined;
  return (
    `${packageName(packageId, tenant)}: ${open.length} signer${open.length === 1 ? '' : 's'} ` +
    `still to finish (${open.map((signer) => signer.email).join(', ')}); next: npm run event -- ` +
    `${packageId} ${next.email}${tenantArgs(tenant)}`
  );
};

/**
 * What changed because of this event alone, from the package before it was sent and now: a
 * callback and a completion event are told only when they are new, never those of an earlier run.
 * The package is the tenant's (the same id in another tenant is another package).
 */
export const completionOutcome = (
  packageId: number,
  before: PackageReport | undefined,
  after: PackageReport | undefined,
  callbacksOn: boolean,
  tenant: string = DEFAULT_TENANT,
): Completion => {
  const name = packageName(packageId, tenant);
  const again = packageArgs(packageId, tenant);
  const simulated = after?.simulator ?? null;
  const wasFinal = isFinalPackageStatus(before?.package?.status);
  const newCallbacks = simulated?.callbacks.slice(before?.simulator?.callbacks.length ?? 0) ?? [];
  const completedNow =
    simulated?.workflowStatus === 'COMPLETED' && before?.simulator?.workflowStatus !== 'COMPLETED';
  const follow = `follow it with npm run status -- ${again}`;

  if (!completedNow && newCallbacks.length === 0) {
    if (wasFinal) {
      return settled(
        `${name} was already ${before?.package?.status} before this event: no new ` +
          'callback and no new completion event',
      );
    }
    return settled(stillToSign(packageId, tenant, simulated));
  }
  if (newCallbacks.length === 0) {
    if (!callbacksOn) {
      return settled(
        `${name}: all signers finished and SigningHub says COMPLETED; ${callbacksOffNote(packageId, tenant)}`,
      );
    }
    return waiting(
      `${name}: all signers finished; the simulator has not called the callback yet (${follow})`,
    );
  }
  const called = `the simulator called the callback (${callbackText(newCallbacks)})`;
  if (newCallbacks.some((sent) => sent.status === null && sent.error === null)) {
    return waiting(`${name}: all signers finished; ${called}, still waiting (${follow})`);
  }
  if (!newCallbacks.some(accepted)) {
    return settled(
      `${name}: ${called}, which did not take it (its log is in the npm start ` +
        `terminal); npm run reconcile -- ${again} confirms the package without it`,
    );
  }
  if (wasFinal) {
    return settled(
      `${name}: ${called}; the package was already ${before?.package?.status}, so ` +
        'no new completion event',
    );
  }
  const status = after?.package?.status;
  if (!isFinalPackageStatus(status)) {
    // Not settled: the table is read a moment before the simulator, so a callback that has just
    // confirmed the package can look accepted here while its write is not read yet. Said as it
    // stands if it is still so when following ends.
    return waiting(
      `${name}: ${called}, but it is still ${status ?? 'not in the table'}: the ` +
        `callback could not confirm it with SigningHub (${follow}; npm run reconcile -- ` +
        `${again} tries again)`,
    );
  }
  const newEvents = after?.events.slice(before?.events.length ?? 0) ?? [];
  // Its completion event: the archive's events may come after it, or before it is read here.
  const completion = completionDetailType(status);
  const event = newEvents.find(({ detailType }) => detailType === completion);
  if (!event) {
    return waiting(
      `${name}: ${status}: ${called} and the callback confirmed it with ` +
        `SigningHub; its completion event is not published yet (${follow})`,
    );
  }
  return settled(
    `${name}: ${status}: ${called}, the callback confirmed it with SigningHub, ` +
      `and ${event.detailType} was published`,
  );
};
