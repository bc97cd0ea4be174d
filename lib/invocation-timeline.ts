/**
 * One invocation's timeline, every point derived from Lambda's deadline D:
 *
 *   D - ANSWER_EARLY_MS                middy answers (timeoutEarlyInMillis) with what is settled
 *   writesEndAt   = that - WRITE_MARGIN_MS       writes that record an outcome stop retrying
 *   requestsEndAt = writesEndAt - SETTLE_RESERVE_MS   the signal fires: SigningHub requests stop
 *   a request starts only while it can end by requestsEndAt (checked by the clock as it leaves)
 *   leaseUntil    = D + LEASE_MARGIN_MS   a claim made in the invocation holds until here
 *
 * Nothing of the invocation acts after D (Lambda stops it), so no other delivery can take a
 * claim while its holder can still send or settle; the margin covers clocks that disagree. The
 * queue's visibility timeout (serverless.yml) is longer than the function's timeout plus the
 * margin, so a message comes back only once its lease is over.
 */
export const ANSWER_EARLY_MS = 1_000;
const WRITE_MARGIN_MS = 250;
const SETTLE_RESERVE_MS = 2_000;
export const LEASE_MARGIN_MS = 5_000;
/** Lambda runs an invocation 15 minutes at most: a longer clock is not to be believed. */
const MAX_INVOCATION_MS = 15 * 60_000;

/** The invocation's clock: what is left for each kind of work, and the signal that ends requests. */
export interface InvocationBudget {
  /** Milliseconds left for SigningHub requests (negative once over). */
  requestMs(): number;
  /** Milliseconds left for the writes that record an outcome. */
  writeMs(): number;
  /** When SigningHub requests must be over (epoch ms). */
  readonly requestsEndAt: number;
  /** When a claim made in this invocation ends (epoch ms). */
  readonly leaseUntil: number;
  /** Fires at requestsEndAt, or when the platform's own signal does. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The budget of an invocation with `remainingMs` left now (Lambda's getRemainingTimeInMillis), on
 * the given clock; `platformSignal` is middy's, which fires when the handler must answer.
 */
export const createInvocationBudget = (
  remainingMs: number,
  platformSignal?: AbortSignal,
  now: () => number = Date.now,
): InvocationBudget => {
  const deadline = now() + Math.min(Math.max(remainingMs, 0), MAX_INVOCATION_MS);
  const writesEndAt = deadline - ANSWER_EARLY_MS - WRITE_MARGIN_MS;
  const requestsEndAt = writesEndAt - SETTLE_RESERVE_MS;
  const ends = AbortSignal.timeout(Math.max(0, requestsEndAt - now()));
  return {
    requestMs: () => requestsEndAt - now(),
    writeMs: () => writesEndAt - now(),
    requestsEndAt,
    leaseUntil: deadline + LEASE_MARGIN_MS,
    signal: platformSignal ? AbortSignal.any([platformSignal, ends]) : ends,
  };
};
