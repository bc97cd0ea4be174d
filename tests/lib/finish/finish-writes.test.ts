import { describe, expect, it } from 'vitest';
import { type FinishDependencies, finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import type { SigningEvent } from '../../../lib/finish/signing-event.ts';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
import { createInvocationBudget } from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';

const event: SigningEvent = {
  tenant: 'default',
  packageId: 7,
  signerEmail: 'a@x.com',
  eventId: undefined,
  occurredAt: undefined,
};

/**
 * The writes after a successful finish: the finish's outcome and the package item. Each fake
 * write notes what the other had begun when it was asked, and answers as told.
 */
const setup = (settleAnswer: () => Promise<boolean>, markAnswer: () => Promise<void>) => {
  const seen = { packageBegunBeforeSettleEnded: false, settles: 0, marks: 0 };
  let settling = false;
  // A clock only the waits between tries move: a write that keeps failing ends the window.
  let clock = Date.parse('2026-12-07T10:00:00Z');
  const deps: FinishDependencies = {
    finishes: {
      claimFinish: async () => ({ claimed: true }),
      recordRetry: async () => true,
      settleFinish: async () => {
        seen.settles += 1;
        settling = true;
        try {
          return await settleAnswer();
        } finally {
          settling = false;
        }
      },
    },
    packages: {
      markInProgress: async () => {
        seen.marks += 1;
        if (settling) seen.packageBegunBeforeSettleEnded = true;
        await markAnswer();
      },
    },
    signingHub: { finishPackage: async (_id, options) => options.onRequestSent?.() },
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
    random: () => 0.5,
    newLeaseId: () => 'lease',
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
    metrics: recordMetrics(),
    keptOutcomes: new UnrecordedOutcomes(),
  };
  const budget = createInvocationBudget(10_000, undefined, () => clock);
  return { deps, seen, run: () => finishPackage(event, deps, budget, silentLog) };
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('finishPackage, the writes after SigningHub finished', () => {
  it('writes the package item while the finish’s outcome is being written, not after it', async () => {
    const { seen, run } = setup(
      async () => {
        await tick();
        return true;
      },
      async () => {},
    );
    expect(await run()).toBe('succeeded');
    expect(seen).toEqual({ packageBegunBeforeSettleEnded: true, settles: 1, marks: 1 });
  });

  it('answers lease-lost when the finish’s write found the lease taken over, the package written all the same', async () => {
    const { seen, run } = setup(
      async () => false,
      async () => {},
    );
    expect(await run()).toBe('lease-lost');
    expect(seen.marks).toBe(1);
  });

  it('fails the delivery when the package item could not be written, though the finish was', async () => {
    const { deps, run } = setup(
      async () => true,
      async () => {
        throw new Error('DynamoDB away');
      },
    );
    await expect(run()).rejects.toThrow('DynamoDB away');
    // The finish's outcome is in the table: nothing kept for a later delivery to write.
    expect(deps.keptOutcomes.all()).toEqual([]);
  });

  it('fails with the finish’s error when both writes failed, and keeps the outcome', async () => {
    const { deps, run } = setup(
      async () => {
        throw new Error('finish write refused');
      },
      async () => {
        throw new Error('package write refused');
      },
    );
    await expect(run()).rejects.toThrow('finish write refused');
    expect(deps.keptOutcomes.all()).toHaveLength(1);
  });
});
