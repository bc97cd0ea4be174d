import type { InvocationBudget } from './finish/finish-package.ts';

/** Time kept after our own deadline for the writes that record what happened. */
export const SETTLE_AFTER_ABORT_MS = 2_500;

/**
 * The invocation's budget from Lambda's clock: our signal fires SETTLE_AFTER_ABORT_MS before
 * the end (or when middy's does), so a cancelled request can still be recorded as RETRYING.
 */
export const createInvocationBudget = (
  remainingMs: () => number,
  lambdaSignal: AbortSignal | undefined,
): InvocationBudget => {
  const deadline = AbortSignal.timeout(Math.max(0, remainingMs() - SETTLE_AFTER_ABORT_MS));
  return {
    remainingMs: () => remainingMs() - SETTLE_AFTER_ABORT_MS,
    signal: lambdaSignal ? AbortSignal.any([lambdaSignal, deadline]) : deadline,
  };
};
