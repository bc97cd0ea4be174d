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
import { recordLog } from '../aws/secrets-fixture.ts';

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

describe('processSigningBatch: different signers of one package', () => {
  it('finishes them side by side, not one after the other', async () => {
    const { deps } = setup({});
    const started: string[] = [];
    let startedWhenFirstEnded: string[] = [];
    deps.signingHub.finishPackage = async (_id, options) => {
      started.push(options.scope ?? 'the account');
      options.onRequestSent?.();
      if (started.length === 1) {
        // Everything else that may run now runs before this answer comes.
        await new Promise((resolve) => setImmediate(resolve));
        startedWhenFirstEnded = [...started];
      }
    };
    const body = (signerEmail: string | undefined) =>
      signingEventBody({ packageId: 1, ...(signerEmail ? { signerEmail } : {}) });
    const { batchItemFailures } = await processSigningBatch(
      [
        { messageId: 'alice', body: body('alice@example.com') },
        { messageId: 'bob', body: body('bob@example.com') },
        { messageId: 'account', body: body(undefined) },
      ],
      deps,
      createInvocationBudget(60_000),
    );
    expect(batchItemFailures).toEqual([]);
    expect(startedWhenFirstEnded).toEqual(['alice@example.com', 'bob@example.com', 'the account']);
  });
});

describe('processSigningBatch: what the log says', () => {
  const lines = (log: ReturnType<typeof recordLog>) =>
    log.lines.map(({ level, message, fields }) => ({ level, message, fields }));

  it('names a rejected event by its message, and its tenant when it named one', async () => {
    const { deps } = setup({});
    const log = recordLog();
    await processSigningBatch(
      [
        { messageId: 'bad', body: 'not json' },
        { messageId: 'acme', body: '{"tenant":"acme","packageId":"x"}' },
      ],
      { ...deps, log, concurrency: 1 },
      createInvocationBudget(60_000),
    );
    expect(lines(log)).toEqual([
      {
        level: 'warn',
        message: 'signing event rejected',
        fields: { messageId: 'bad', reason: 'the body is not JSON' },
      },
      {
        level: 'warn',
        message: 'signing event rejected',
        fields: { messageId: 'acme', tenant: 'acme', reason: expect.stringMatching(/^packageId/) },
      },
    ]);
  });

  it('names a rejected event it could not store, and a finish it could not process', async () => {
    const { deps } = setup({ 4: 'store-down' }, true);
    const log = recordLog();
    const body = signingEventBody({ packageId: 4, eventId: 'e-4' });
    await processSigningBatch(
      [
        { messageId: 'bad', body: 'not json' },
        { messageId: 'm-4', body },
      ],
      { ...deps, log },
      createInvocationBudget(60_000),
    );
    const down = expect.objectContaining({ message: 'ServiceUnavailable' });
    expect(lines(log)).toEqual(
      expect.arrayContaining([
        {
          level: 'error',
          message: 'could not store a rejected signing event; it will be delivered again',
          fields: { messageId: 'bad', error: down },
        },
        {
          level: 'error',
          message: 'finish could not be processed; it will be delivered again',
          fields: {
            tenant: 'default',
            packageId: 4,
            messageId: 'm-4',
            eventId: 'e-4',
            error: down,
          },
        },
      ]),
    );
    expect(log.lines).toHaveLength(2);
  });

  it('names each finish’s lines by tenant, package and message, and by event when it has an id', async () => {
    const { deps } = setup({});
    const log = recordLog();
    await processSigningBatch(
      [
        { messageId: 'm-1', body: signingEventBody({ packageId: 1, eventId: 'e-1' }) },
        { messageId: 'm-2', body: '{"packageId":2}' },
      ],
      { ...deps, log, concurrency: 1 },
      createInvocationBudget(60_000),
    );
    expect(lines(log)).toEqual([
      {
        level: 'info',
        message: 'finish succeeded',
        fields: { tenant: 'default', packageId: 1, messageId: 'm-1', eventId: 'e-1', attempt: 1 },
      },
      {
        level: 'info',
        message: 'finish succeeded',
        fields: { tenant: 'default', packageId: 2, messageId: 'm-2', attempt: 1 },
      },
    ]);
  });
});

describe('processSigningBatch: kept outcomes, what became of them', () => {
  const kept = (packageId: number) => ({
    key: { packageId, signer: 'alice@example.com' },
    leaseId: 'earlier-lease',
    settlement: { status: 'FAILED' as const, now: new Date(0), requestsSent: 1 },
  });

  it('says which it recorded and which it dropped because their lease was taken over', async () => {
    const { deps } = setup({});
    deps.finishes.settleFinish = async ({ packageId }) => packageId === 9;
    deps.keptOutcomes.keep(kept(9));
    deps.keptOutcomes.keep(kept(10));
    const log = recordLog();
    await processSigningBatch([], { ...deps, log }, createInvocationBudget(60_000));
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'finish outcome of an earlier invocation recorded',
        fields: { tenant: 'default', packageId: 9, finishStatus: 'FAILED' },
      },
      {
        level: 'info',
        message: 'finish outcome of an earlier invocation dropped: its lease was taken over',
        fields: { tenant: 'default', packageId: 10, finishStatus: 'FAILED' },
      },
    ]);
    expect(deps.keptOutcomes.all()).toEqual([]);
  });

  it('tries no more of them once the table refuses one, and says so', async () => {
    const { deps } = setup({});
    const tried: number[] = [];
    deps.finishes.settleFinish = async ({ packageId }) => {
      tried.push(packageId);
      throw new Error('ServiceUnavailable');
    };
    deps.keptOutcomes.keep(kept(9));
    deps.keptOutcomes.keep(kept(10));
    const log = recordLog();
    await processSigningBatch([], { ...deps, log }, createInvocationBudget(60_000));
    expect(tried).toEqual([9]);
    expect(deps.keptOutcomes.all()).toHaveLength(2);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: 'the table still refuses a kept finish outcome; kept for later',
        fields: {
          tenant: 'default',
          packageId: 9,
          error: expect.objectContaining({ message: 'ServiceUnavailable' }),
        },
      },
    ]);
  });
});
