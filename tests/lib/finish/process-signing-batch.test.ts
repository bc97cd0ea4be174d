import { describe, expect, it } from 'vitest';
import {
  type BatchDependencies,
  processSigningBatch,
} from '../../../lib/finish/process-signing-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import { createInvocationBudget } from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import type { ClaimResult } from '../../../lib/store/ports.ts';
import { signingEventBody } from '../../support/factories.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';

/** What the store answers for each package: a claim result, a lost lease, or a failure. */
type Scenario = ClaimResult | 'lease-lost' | 'store-down';

const setup = (scenarios: Record<number, Scenario>, rejectedStoreDown = false) => {
  const metrics = recordMetrics();
  const scenarioOf = (packageId: number): Scenario => scenarios[packageId] ?? { claimed: true };
  const deps: BatchDependencies = {
    finishes: {
      claimFinish: async ({ packageId }) => {
        const scenario = scenarioOf(packageId);
        if (scenario === 'store-down') throw new Error('ServiceUnavailable');
        return scenario === 'lease-lost' ? { claimed: true } : scenario;
      },
      recordRetry: async () => true,
      settleFinish: async ({ packageId }) => scenarioOf(packageId) !== 'lease-lost',
    },
    packages: { markInProgress: async () => {} },
    rejected: {
      putRejected: async () => {
        if (rejectedStoreDown) throw new Error('ServiceUnavailable');
      },
    },
    signingHub: { finishPackage: async (_id, options) => options.onRequestSent?.() },
    now: () => new Date(),
    sleep: async () => {},
    random: () => 0.5,
    newLeaseId: () => 'lease',
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
    log: silentLog,
    concurrency: 10,
    metrics,
  };
  return { deps, metrics };
};

const message = (packageId: number) => ({
  messageId: `m-${packageId}`,
  body: signingEventBody({ packageId, signerEmail: 'alice@example.com' }),
});
const outcomeNames = (points: readonly { name: string }[]) =>
  points
    .map(({ name }) => name)
    .filter((name) => name.startsWith('Finish') || name === 'SigningEventRejected')
    .filter((name) => name !== 'FinishRequests')
    .sort();

describe('processSigningBatch metrics: each message counts once, by what became of it', () => {
  it('counts a finish in flight elsewhere as skipped, a lost lease and an error as retrying', async () => {
    const { deps, metrics } = setup({
      1: { claimed: false, status: 'IN_FLIGHT' },
      2: { claimed: false, status: 'FAILED' },
      3: 'lease-lost',
      4: 'store-down',
    });
    const messages = [1, 2, 3, 4, 5].map(message);
    const { batchItemFailures } = await processSigningBatch(
      messages,
      deps,
      createInvocationBudget(60_000),
    );
    expect(batchItemFailures.map(({ itemIdentifier }) => itemIdentifier).sort()).toEqual([
      'm-1',
      'm-3',
      'm-4',
    ]);
    expect(outcomeNames(metrics.points)).toEqual([
      'FinishRetrying',
      'FinishRetrying',
      'FinishSkipped',
      'FinishSkipped',
      'FinishSucceeded',
    ]);
  });

  it('counts a rejected event that could not be stored as retrying, not rejected', async () => {
    const { deps, metrics } = setup({}, true);
    await processSigningBatch(
      [{ messageId: 'bad', body: 'not json' }],
      deps,
      createInvocationBudget(60_000),
    );
    expect(outcomeNames(metrics.points)).toEqual(['FinishRetrying']);
  });
});
