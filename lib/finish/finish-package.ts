import type { Log } from '../logger.ts';
import {
  isSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
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

export const OUTCOMES_TO_RETRY: ReadonlySet<FinishOutcome> = new Set([
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

/** Sends one finish for a (package, signer) unless it was settled already, and records the outcome. */
export const finishPackage = async (
  event: SigningEvent,
  deps: FinishDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<FinishOutcome> => {
  const key: FinishKey = { packageId: event.packageId, signer: event.signerEmail };
  const leaseId = deps.newLeaseId();
  const leaseFrom = (now: Date): Lease => ({
    leaseId,
    leaseUntil:
      now.getTime() +
      Math.min(Math.max(budget.remainingMs(), 0), MAX_INVOCATION_MS) +
      LEASE_MARGIN_MS,
  });

  const claimedAt = deps.now();
  const claim = await deps.store.claimFinish(key, leaseFrom(claimedAt), claimedAt);
  if (!claim.claimed) {
    const settled = claim.status === 'SUCCEEDED' || claim.status === 'FAILED';
    log.info(settled ? 'finish already settled; nothing sent' : 'finish in flight elsewhere', {
      finishStatus: claim.status,
    });
    return settled ? 'already-settled' : 'in-flight-elsewhere';
  }

  for (let attempt = 1; ; attempt += 1) {
    let lastError: LastError;
    let retryAfterMs: number | undefined;
    let aborted = false;
    try {
      await deps.signingHub.finishPackage(event.packageId, {
        scope: event.signerEmail,
        signal: budget.signal,
      });
      return await succeed(key, leaseId, deps, log, attempt);
    } catch (error) {
      if (!isSigningHubError(error)) {
        await settle(key, leaseId, deps, 'RETRYING', { message: 'unexpected error; see the logs' });
        throw error;
      }
      lastError = error.toDetails();
      if (!error.retryable) {
        await settle(key, leaseId, deps, 'FAILED', lastError);
        log.error('finish failed for good', { lastError, attempt });
        return 'failed';
      }
      retryAfterMs = error instanceof RetryableSigningHubError ? error.retryAfterMs : undefined;
      aborted = error instanceof SigningHubAbortedError;
    }

    const delay = retryDelayMs(deps.retryPolicy, attempt, retryAfterMs, deps.random);
    const timeLeft = budget.remainingMs() - delay - deps.requestTimeoutMs - SETTLE_RESERVE_MS;
    const tooLong = retryAfterMs !== undefined && retryAfterMs > deps.retryPolicy.maxRetryAfterMs;
    if (
      aborted ||
      tooLong ||
      timeLeft < 0 ||
      attempt >= deps.retryPolicy.maxAttemptsPerInvocation
    ) {
      if (!(await settle(key, leaseId, deps, 'RETRYING', lastError))) return 'lease-lost';
      log.warn('finish failed for now; handed back to the queue', { lastError, attempt });
      return 'retry-later';
    }
    log.warn('finish failed for now; retrying', { lastError, attempt, delayMs: delay });
    await deps.sleep(delay, budget.signal);
    const now = deps.now();
    if (budget.signal?.aborted) {
      if (!(await settle(key, leaseId, deps, 'RETRYING', lastError))) return 'lease-lost';
      return 'retry-later';
    }
    if (!(await deps.store.recordRetry(key, leaseFrom(now), lastError, now))) return 'lease-lost';
  }
};

const settle = (
  key: FinishKey,
  leaseId: string,
  deps: FinishDependencies,
  status: 'FAILED' | 'RETRYING',
  lastError: LastError,
): Promise<boolean> =>
  deps.store.settleFinish(key, leaseId, { status, now: deps.now(), lastError });

const succeed = async (
  key: FinishKey,
  leaseId: string,
  deps: FinishDependencies,
  log: Log,
  attempt: number,
): Promise<FinishOutcome> => {
  const now = deps.now();
  if (!(await deps.store.settleFinish(key, leaseId, { status: 'SUCCEEDED', now }))) {
    // SigningHub finished, but another invocation took the lease: it will find out on its own.
    log.warn('finish sent but the lease was lost before it could be recorded', { attempt });
    return 'lease-lost';
  }
  await deps.store.markInProgress(key.packageId, now);
  log.info('finish succeeded', { attempt });
  return 'succeeded';
};
