import type { InvocationBudget } from '../invocation-timeline.ts';
import type { Log } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import {
  isSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  type SigningHubError,
} from '../signinghub/errors.ts';
import type { FinishPort } from '../signinghub/ports.ts';
import type { FinishKey, LastError } from '../store/items.ts';
import type { FinishStore, Lease, PackageStore } from '../store/ports.ts';
import { CircuitOpenError } from '../tenants/circuit-breaker.ts';
import { type RetryPolicy, retryDelayMs } from './retry-policy.ts';
import { occurredAtMs, type SigningEvent } from './signing-event.ts';
import type { UnrecordedOutcome, UnrecordedOutcomes } from './unrecorded-outcomes.ts';

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
  readonly finishes: Pick<FinishStore, 'claimFinish' | 'recordRetry' | 'settleFinish'>;
  readonly packages: Pick<PackageStore, 'markInProgress'>;
  readonly signingHub: FinishPort;
  readonly now: () => Date;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly newLeaseId: () => string;
  readonly retryPolicy: RetryPolicy;
  /** One SigningHub attempt's timeout: no retry starts without this much time left. */
  readonly requestTimeoutMs: number;
  readonly metrics: MetricsPort;
  /** This instance's answers for good that the table did not take in time (it was away). */
  readonly keptOutcomes: UnrecordedOutcomes;
}

type Settled = 'SUCCEEDED' | 'FAILED' | 'RETRYING';

/** Sends one finish for a (package, signer) unless it was settled already, and records the outcome. */
export const finishPackage = async (
  event: SigningEvent,
  deps: FinishDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<FinishOutcome> => {
  const key: FinishKey = { packageId: event.packageId, signer: event.signerEmail };
  // Claim only what this invocation can still send for: a claim without a request is wasted.
  if (budget.requestMs() < deps.requestTimeoutMs) {
    log.warn('no time left in the invocation for a finish; handed back to the queue');
    return 'retry-later';
  }
  const lease: Lease = { leaseId: deps.newLeaseId(), leaseUntil: budget.leaseUntil };
  const { leaseId } = lease;

  const persist = <T>(what: string, write: () => Promise<T>) =>
    persistently(what, write, deps, budget, log);

  // An earlier delivery here had SigningHub's answer but not the table: that answer decides.
  const kept = deps.keptOutcomes.get(key, event.tenant);
  if (kept !== undefined && (await writeUnrecordedOutcome(kept, deps))) {
    log.info('finish outcome of an earlier delivery recorded; nothing sent', {
      finishStatus: kept.settlement.status,
    });
    // This delivery recorded it: it counts as what SigningHub answered.
    return kept.settlement.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
  }

  const claimedAt = deps.now();
  const claim = await deps.finishes.claimFinish(key, lease, claimedAt);
  if (!claim.claimed) {
    const settled = claim.status === 'SUCCEEDED' || claim.status === 'FAILED';
    log.info(settled ? 'finish already settled; nothing sent' : 'finish in flight elsewhere', {
      finishStatus: claim.status,
    });
    // The delivery that succeeded may have died before it recorded the package: make sure.
    if (claim.status === 'SUCCEEDED') await deps.packages.markInProgress(key.packageId, deps.now());
    return settled ? 'already-settled' : 'in-flight-elsewhere';
  }

  // Requests sent since the last write; each write adds them to the item's `attempts`.
  let unrecorded = 0;
  // Requests this delivery sent, whatever was written since: FinishRequests.
  let sentHere = 0;
  const takeUnrecorded = (): number => {
    const sent = unrecorded;
    unrecorded = 0;
    return sent;
  };
  // A request was sent: losing its outcome would let a later delivery send it again.
  const settle = async (status: Settled, lastError?: LastError): Promise<boolean> => {
    const settlement = { status, now: deps.now(), requestsSent: takeUnrecorded(), lastError };
    let recorded: boolean;
    try {
      recorded = await persist('the finish outcome', () =>
        deps.finishes.settleFinish(key, leaseId, settlement),
      );
    } catch (error) {
      // The table stayed away for the whole write window. An answer for good is kept in memory
      // for this instance's next invocation; RETRYING changes nothing a redelivery would redo.
      if (status !== 'RETRYING') {
        deps.keptOutcomes.keep({ tenant: event.tenant, key, leaseId, settlement });
        log.error('finish outcome kept in memory: the table did not take it in time', {
          finishStatus: status,
        });
      }
      throw error;
    }
    // Settled: this delivery's SUCCEEDED or FAILED write landed (a lost lease leaves it to the
    // holder). The requests are this delivery's; earlier deliveries' are in FinishResponse*.
    if (recorded && status !== 'RETRYING') {
      deps.metrics.count('FinishRequests', sentHere);
      const occurredAt = occurredAtMs(event);
      const waitedMs = occurredAt === undefined ? undefined : deps.now().getTime() - occurredAt;
      // An event from the future says more about a clock than about us: left out.
      if (waitedMs !== undefined && waitedMs >= 0) {
        deps.metrics.milliseconds('SigningEventToFinish', waitedMs);
      }
    }
    return recorded;
  };

  for (let attempt = 1; ; attempt += 1) {
    const sentBefore = unrecorded;
    const error = await sendFinish(event, deps, budget, () => {
      unrecorded += 1;
      sentHere += 1;
    });
    if (error === undefined) {
      // SigningHub finished: the package is in progress whoever records the finish, so its item
      // is written beside the finish's, and the answer waits for one round trip, not two.
      const [settled, marked] = await Promise.allSettled([
        settle('SUCCEEDED'),
        persist('the package', () => deps.packages.markInProgress(key.packageId, deps.now())),
      ]);
      if (settled.status === 'rejected') throw settled.reason;
      if (!settled.value) {
        // Our lease was taken over: the other holder records the finish.
        log.warn('finish sent but the lease was lost before it could be recorded', { attempt });
        return 'lease-lost';
      }
      if (marked.status === 'rejected') throw marked.reason;
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
    const handBack =
      error.retry === 'later' ||
      (retryAfterMs !== undefined && retryAfterMs > deps.retryPolicy.maxRetryAfterMs) ||
      budget.requestMs() - delay < deps.requestTimeoutMs ||
      attempt >= deps.retryPolicy.maxAttemptsPerInvocation;
    if (!handBack) {
      log.warn('finish failed for now; retrying', { lastError, attempt, delayMs: delay });
      await deps.sleep(delay, budget.signal);
    }
    if (handBack || budget.signal?.aborted) {
      // A request that never left (cancelled, or the tenant's circuit open) changes nothing at
      // SigningHub: the last real error stays. A refused authentication is SigningHub's answer.
      const answered = unrecorded > sentBefore || !neverLeft(error);
      if (!(await settle('RETRYING', answered ? lastError : undefined))) return 'lease-lost';
      log.warn('finish failed for now; handed back to the queue', { lastError, attempt });
      return 'retry-later';
    }
    const progress = { lastError, requestsSent: takeUnrecorded(), now: deps.now() };
    const recorded = await persist('the retry', () =>
      deps.finishes.recordRetry(key, lease, progress),
    );
    if (!recorded) return 'lease-lost';
  }
};

/**
 * Writes an outcome an earlier invocation kept, in one try (the table may still be away: then it
 * throws, and stays kept). True once the outcome is in the table; false when the lease it was sent
 * under was taken over, and whoever took it decides.
 */
export const writeUnrecordedOutcome = async (
  kept: UnrecordedOutcome,
  deps: Pick<FinishDependencies, 'finishes' | 'packages' | 'now' | 'keptOutcomes'>,
): Promise<boolean> => {
  const written = await deps.finishes.settleFinish(kept.key, kept.leaseId, kept.settlement);
  deps.keptOutcomes.forget(kept.key, kept.tenant);
  if (written && kept.settlement.status === 'SUCCEEDED') {
    await deps.packages.markInProgress(kept.key.packageId, deps.now());
  }
  return written;
};

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
      if (budget.writeMs() < wait) throw error;
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
      // A request starts only while its answer can come before the requests' end.
      startBy: budget.requestsEndAt - deps.requestTimeoutMs,
    });
    return undefined;
  } catch (error) {
    return error ?? new Error('finish threw nothing');
  }
};

/** No request of this call left: the invocation's time was over, or the tenant's circuit open. */
const neverLeft = (error: SigningHubError): boolean =>
  error instanceof SigningHubAbortedError || error instanceof CircuitOpenError;
