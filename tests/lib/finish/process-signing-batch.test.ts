import { describe, expect, it } from 'vitest';
import {
  type BatchDependencies,
  processSigningBatch,
} from '../../../lib/finish/process-signing-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
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
    keptOutcomes: new UnrecordedOutcomes(),
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

describe('processSigningBatch: outcomes an earlier invocation could not record', () => {
  const kept = (packageId: number) => ({
    key: { packageId, signer: 'alice@example.com' },
    leaseId: 'earlier-lease',
    settlement: { status: 'SUCCEEDED' as const, now: new Date(0), requestsSent: 1 },
  });

  it('writes them first, whatever the batch holds, and forgets them once written', async () => {
    const { deps } = setup({});
    const writes: string[] = [];
    const marked: number[] = [];
    deps.finishes.settleFinish = async ({ packageId }, leaseId, settle) => {
      writes.push(`${packageId} ${leaseId} ${settle.status} ${settle.now.toISOString()}`);
      return true;
    };
    deps.finishes.claimFinish = async ({ packageId }) => {
      writes.push(`claim ${packageId}`);
      return { claimed: true };
    };
    deps.packages.markInProgress = async (packageId) => {
      marked.push(packageId);
    };
    deps.keptOutcomes.keep(kept(9));
    await processSigningBatch([message(1)], deps, createInvocationBudget(60_000));
    expect(writes[0]).toBe('9 earlier-lease SUCCEEDED 1970-01-01T00:00:00.000Z');
    expect(writes[1]).toBe('claim 1');
    expect(marked).toContain(9);
    expect(deps.keptOutcomes.all()).toEqual([]);
  });

  it('keeps them while the table still refuses, and still processes the batch', async () => {
    const { deps } = setup({});
    const settle = deps.finishes.settleFinish;
    deps.finishes.settleFinish = async (key, leaseId, settlement) => {
      if (key.packageId === 9) throw new Error('ServiceUnavailable');
      return settle(key, leaseId, settlement);
    };
    deps.keptOutcomes.keep(kept(9));
    const { batchItemFailures } = await processSigningBatch(
      [message(1)],
      deps,
      createInvocationBudget(60_000),
    );
    expect(batchItemFailures).toEqual([]);
    expect(deps.keptOutcomes.all().map(({ key }) => key.packageId)).toEqual([9]);
  });
});
