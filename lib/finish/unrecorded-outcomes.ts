import type { FinishKey } from '../store/items.ts';
import type { SettleFinish } from '../store/ports.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';

/** SigningHub's answer for good (SUCCEEDED or FAILED) that the table did not take in time. */
export interface UnrecordedOutcome {
  /** Whose finish it is; absent: the default tenant's. */
  readonly tenant?: string | undefined;
  readonly key: FinishKey;
  /** The lease the request was sent under: the write still needs it to be ours. */
  readonly leaseId: string;
  readonly settlement: SettleFinish;
}

const idOf = (tenant: string | undefined, { packageId, signer }: FinishKey): string =>
  `${tenant ?? DEFAULT_TENANT}\n${packageId}\n${signer ?? ''}`;

/**
 * The outcomes an instance could not write before its invocation ended, DynamoDB being away for
 * longer than the write window. Kept in the instance's memory, the one place left while the table
 * is away, and written at its next invocation before anything else and before any claim of the
 * same key. Without them, the event handed back to the queue would find only an expired lease
 * and send its finish again. An instance recycled before its next invocation loses them; the
 * lease's expiry then decides, as it would without them.
 */
export class UnrecordedOutcomes {
  readonly #byKey = new Map<string, UnrecordedOutcome>();

  keep(outcome: UnrecordedOutcome): void {
    this.#byKey.set(idOf(outcome.tenant, outcome.key), outcome);
  }

  get(key: FinishKey, tenant: string = DEFAULT_TENANT): UnrecordedOutcome | undefined {
    return this.#byKey.get(idOf(tenant, key));
  }

  forget(key: FinishKey, tenant: string = DEFAULT_TENANT): void {
    this.#byKey.delete(idOf(tenant, key));
  }

  all(): readonly UnrecordedOutcome[] {
    return [...this.#byKey.values()];
  }
}
