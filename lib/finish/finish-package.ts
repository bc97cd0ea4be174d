import type { Log } from '../logger.ts';
import {
  isSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  type SigningHubError,
} from '../signinghub/errors.ts';
import type { CallOptions } from '../signinghub/signinghub-client.ts';
import type { FinishKey, LastError } from '../store/items.ts';
import type { FinishStore, Lease, PackageStore } from '../store/ports.ts';
import { type RetryPolicy, retryDelayMs } from './retry-policy.ts';
import type { SigningEvent } from './signing-event.ts';

/** What happened to one signing event; the last three leave it for SQS to deliver again. */
export type FinishOutcome =
  | 'succeeded'
  | 'failed'
  | 'already-settled'
  | 'in-flight-elsewhere'
  | 'retry-later'
  | 'lease-lost';

export const OUTCOMES_TO_RETRY: ReadonlySet<string> = new Set<FinishOutcome>([
  'in-flight-elsewhere',
  'retry-later',
  'lease-lost',
]);

export interface FinishDependencies {
  readonly store: FinishStore & PackageStore;
  readonly signingHub: { finishPackage(packageId: number, options: CallOptions): Promise<void> };
  readonly now: () => Date;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly newLeaseId: () => string;
  readonly retryPolicy: RetryPolicy;
  /** One SigningHub attempt's timeout: no retry starts without this much time left. */
  readonly requestTimeoutMs: number;
}

/** The invocation's clock: what is left before Lambda stops it, and the signal that fires first. */
export interface InvocationBudget {
  remainingMs(): number;
  readonly signal?: AbortSignal | undefined;
}

/** Time kept back for the writes that settle an item after the last request. */
const SETTLE_RESERVE_MS = 1_000;
/** A lease outlives its invocation by this much; an invocation cannot outlive 15 minutes. */
const LEASE_MARGIN_MS = 5_000;
const MAX_INVOCATION_MS = 15 * 60_000;

type Settled = 'SUCCEEDED' | 'FAILED' | 'RETRYING';

/** Sends one finish for a (package, signer) unless it was settled already, and records the outcome. */
export const finishPackage = async (
  event: SigningEvent,
  deps: FinishDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<FinishOutcome> => {
  const key: FinishKey = { packageId: event.packageId, signer: event.signerEmail };
  const leaseId = deps.newLeaseId();
  const leaseFrom = (now: Date): Lease => {
    const remaining = Math.min(Math.max(budget.remainingMs(), 0), MAX_INVOCATION_MS);
    return { leaseId, leaseUntil: now.getTime() + remaining + LEASE_MARGIN_MS };
  };

  const persist = <T>(what: string, write: () => Promise<T>) =>
    persistently(what, write, deps, budget, log);

  const claimedAt = deps.now();
  const claim = await deps.store.claimFinish(key, leaseFrom(claimedAt), claimedAt);
  if (!claim.claimed) {
    const settled = claim.status === 'SUCCEEDED' || claim.status === 'FAILED';
    log.info(settled ? 'finish already settled; nothing sent' : 'finish in flight elsewhere', {
      finishStatus: claim.status,
    });
    // The delivery that succeeded may have died before it recorded the package: make sure.
    if (claim.status === 'SUCCEEDED') await deps.store.markInProgress(key.packageId, deps.now());
    return settled ? 'already-settled' : 'in-flight-elsewhere';
  }

  // Requests sent since the last write; each write adds them to the item's `attempts`.
  let unrecorded = 0;
  const takeUnrecorded = (): number => {
    const sent = unrecorded;
    unrecorded = 0;
    return sent;
  };
  // A request was sent: losing its outcome would let a later delivery send it again.
  const settle = (status: Settled, lastError?: LastError): Promise<boolean> => {
    const requestsSent = takeUnrecorded();
    return persist('the finish outcome', () =>
      deps.store.settleFinish(key, leaseId, { status, now: deps.now(), requestsSent, lastError }),
    );
  };

  for (let attempt = 1; ; attempt += 1) {
    const error = await sendFinish(event, deps, budget, () => {
      unrecorded += 1;
    });
    if (error === undefined) {
      if (!(await settle('SUCCEEDED'))) {
        // SigningHub finished, but our lease was taken over: the other holder records it.
        log.warn('finish sent but the lease was lost before it could be recorded', { attempt });
        return 'lease-lost';
      }
      await persist('the package', () => deps.store.markInProgress(key.packageId, deps.now()));
      log.info('finish succeeded', { attempt });
      return 'succeeded';
    }
    if (!isSigningHubError(error)) {
      await settle('RETRYING', { message: 'unexpected error; see the logs' });
      throw error;
    }
    const lastError = error.toDetails();
    if (!error.retryable) {
      await settle('FAILED', lastError);
      log.error('finish failed for good', { lastError, attempt });
      return 'failed';
    }

    const retryAfterMs = error instanceof RetryableSigningHubError ? error.retryAfterMs : undefined;
    const delay = retryDelayMs(deps.retryPolicy, attempt, retryAfterMs, deps.random);
    const spare = budget.remainingMs() - delay - deps.requestTimeoutMs - SETTLE_RESERVE_MS;
    const handBack =
      error instanceof SigningHubAbortedError ||
      (retryAfterMs !== undefined && retryAfterMs > deps.retryPolicy.maxRetryAfterMs) ||
      spare < 0 ||
      attempt >= deps.retryPolicy.maxAttemptsPerInvocation;
    if (!handBack) {
      log.warn('finish failed for now; retrying', { lastError, attempt, delayMs: delay });
      await deps.sleep(delay, budget.signal);
    }
    if (handBack || budget.signal?.aborted) {
      if (!(await settle('RETRYING', lastError))) return 'lease-lost';
      log.warn('finish failed for now; handed back to the queue', { lastError, attempt });
      return 'retry-later';
    }
    const now = deps.now();
    const progress = { lastError, requestsSent: takeUnrecorded(), now };
    const recorded = await persist('the retry', () =>
      deps.store.recordRetry(key, leaseFrom(now), progress),
    );
    if (!recorded) return 'lease-lost';
  }
};

/** Stop retrying a write this long before the invocation's own deadline. */
const PERSIST_GIVE_UP_MS = 500;

/** Retries a write that must not be lost (DynamoDB briefly away) while the invocation has time. */
const persistently = async <T>(
  what: string,
  write: () => Promise<T>,
  deps: FinishDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<T> => {
  for (let tries = 1; ; tries += 1) {
    try {
      return await write();
    } catch (error) {
      const wait = Math.min(2_000, 100 * 2 ** tries);
      if (budget.remainingMs() - wait < PERSIST_GIVE_UP_MS) throw error;
      log.warn(`could not record ${what}; trying again`, {
        error: error instanceof Error ? error.name : 'unknown',
        tries,
      });
      await deps.sleep(wait);
    }
  }
};

/** One finish through the client; resolves to the error instead of throwing it. */
const sendFinish = async (
  event: SigningEvent,
  deps: FinishDependencies,
  budget: InvocationBudget,
  onRequestSent: () => void,
): Promise<SigningHubError | unknown> => {
  try {
    await deps.signingHub.finishPackage(event.packageId, {
      scope: event.signerEmail,
      signal: budget.signal,
      onRequestSent,
    });
    return undefined;
  } catch (error) {
    return error ?? new Error('finish threw nothing');
  }
};
