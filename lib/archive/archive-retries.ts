import { type RetryPolicy, retryDelayMs } from '../finish/retry-policy.ts';
import type { InvocationBudget } from '../invocation-timeline.ts';
import type { Log } from '../logger.ts';
import { isSigningHubError, RetryableSigningHubError } from '../signinghub/errors.ts';
import type { LastError } from '../store/items.ts';
import { BucketError } from './s3-archive-bucket.ts';

/** What trying again needs: the policy, the clock's randomness and sleep, one attempt's timeout. */
export interface RetryDependencies {
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly retryPolicy: RetryPolicy;
  /** One SigningHub attempt's timeout: no retry starts without this much time left. */
  readonly requestTimeoutMs: number;
}

/** SigningHub or S3 gave a final answer: the archive is FAILED with it. */
export class FinalFailure extends Error {
  readonly details: LastError;
  constructor(details: LastError) {
    super(details.message);
    this.details = details;
  }
}

/** Not now: transient failures past this invocation's tries or time; the message goes back. */
export class HandBack extends Error {}

interface Failure {
  readonly retry: 'never' | 'soon' | 'later';
  readonly details: LastError;
  readonly retryAfterMs: number | undefined;
}

/** SigningHub's and S3's failures, by when asking again can help; undefined for anything else. */
const failureOf = (error: unknown): Failure | undefined => {
  if (isSigningHubError(error)) {
    const retryAfterMs = error instanceof RetryableSigningHubError ? error.retryAfterMs : undefined;
    return { retry: error.retry, details: error.toDetails(), retryAfterMs };
  }
  if (error instanceof BucketError) {
    const message = `S3: ${error.detail}`;
    const details =
      error.httpStatus === undefined ? { message } : { httpStatus: error.httpStatus, message };
    return { retry: error.retry, details, retryAfterMs: undefined };
  }
  return undefined;
};

/**
 * A SigningHub or S3 call, tried again after transient failures in the style of finish's retry
 * policy (backoff with jitter, Retry-After up to a bound, a few tries, time left for another);
 * then HandBack. A final answer is a FinalFailure; any other error is thrown as it is.
 */
export const persevere = async <T>(
  what: string,
  send: () => Promise<T>,
  deps: RetryDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<T> => {
  const policy: RetryPolicy = deps.retryPolicy;
  for (let attempt = 1; ; attempt += 1) {
    let failure: Failure | undefined;
    try {
      return await send();
    } catch (error) {
      failure = failureOf(error);
      if (failure === undefined) throw error;
    }
    if (failure.retry === 'never' && !budget.signal?.aborted)
      throw new FinalFailure(failure.details);
    const { retryAfterMs } = failure;
    const delay = retryDelayMs(policy, attempt, retryAfterMs, deps.random);
    const handBack =
      failure.retry !== 'soon' ||
      budget.signal?.aborted === true ||
      (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) ||
      budget.requestMs() - delay < deps.requestTimeoutMs ||
      attempt >= policy.maxAttemptsPerInvocation;
    if (handBack) {
      log.warn(`${what} failed for now; handed back to the queue`, {
        error: failure.details,
        attempt,
      });
      throw new HandBack();
    }
    log.warn(`${what} failed for now; trying again`, {
      error: failure.details,
      attempt,
      delayMs: delay,
    });
    await deps.sleep(delay, budget.signal);
  }
};
