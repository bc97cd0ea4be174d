export interface RetryPolicy {
  /** First backoff ceiling; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Cap on one backoff. */
  readonly maxDelayMs: number;
  /** Longest `Retry-After` worth waiting for inside an invocation; longer goes back to SQS. */
  readonly maxRetryAfterMs: number;
  /** Finish requests one invocation may send for one event before handing it back to SQS. */
  readonly maxAttemptsPerInvocation: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 20_000,
  maxAttemptsPerInvocation: 4,
});

/**
 * Capped exponential backoff with full jitter; an explicit `Retry-After` wins (no jitter: the
 * server said when).
 */
export const retryDelayMs = (
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number => {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
};
