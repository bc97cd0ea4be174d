import { describe, expect, it } from 'vitest';
import { type FinishDependencies, finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import { silentLog } from '../../../lib/logger.ts';
import { RetryableSigningHubError } from '../../../lib/signinghub/errors.ts';
import type { CallOptions } from '../../../lib/signinghub/signinghub-client.ts';
import type { FinishStatus } from '../../../lib/store/items.ts';
import type {
  ClaimResult,
  FinishStore,
  PackageStore,
  SettleFinish,
} from '../../../lib/store/ports.ts';

/** Just enough of a store for the use case's decisions; the real one is tested against DynamoDB Local. */
class FakeStore implements Pick<FinishStore, 'claimFinish' | 'recordRetry' | 'settleFinish'> {
  status: FinishStatus | undefined;
  attempts = 0;
  settleFailures = 0;
  retryFailures = 0;
  packages = 0;

  async claimFinish(): Promise<ClaimResult> {
    if (this.status === 'SUCCEEDED' || this.status === 'FAILED' || this.status === 'IN_FLIGHT') {
      return { claimed: false, status: this.status };
    }
    this.status = 'IN_FLIGHT';
    return { claimed: true, attempts: this.attempts };
  }

  async recordRetry(
    _key: unknown,
    _lease: unknown,
    progress: { requestsSent: number },
  ): Promise<boolean> {
    this.attempts += progress.requestsSent;
    return true;
  }

  async settleFinish(_key: unknown, _leaseId: string, settle: SettleFinish): Promise<boolean> {
    if (this.settleFailures > 0) {
      this.settleFailures -= 1;
      throw new Error('ProvisionedThroughputExceededException');
    }
    this.status = settle.status;
    this.attempts += settle.requestsSent;
    return true;
  }

  async markInProgress(): Promise<void> {
    this.packages += 1;
  }
}

const event = { packageId: 1, signerEmail: 'a@x.com', eventId: undefined, occurredAt: undefined };

const setup = (answers: (Error | undefined)[]) => {
  const store = new FakeStore();
  const sent: CallOptions[] = [];
  const deps: FinishDependencies = {
    store: store as unknown as FinishStore & PackageStore,
    signingHub: {
      finishPackage: async (_id, options) => {
        sent.push(options);
        options.onRequestSent?.();
        const answer = answers.shift();
        if (answer) throw answer;
      },
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
    sleep: async () => undefined,
    random: () => 0.5,
    newLeaseId: () => 'lease',
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
  };
  return { store, sent, deps };
};

const plenty = { remainingMs: () => 60_000 };
const busy = () => new RetryableSigningHubError('finish', { httpStatus: 503, message: 'busy' });

describe('finishPackage', () => {
  it('keeps trying to record a sent finish while DynamoDB refuses, instead of sending it again', async () => {
    const { store, sent, deps } = setup([undefined]);
    store.settleFailures = 3;
    expect(await finishPackage(event, deps, plenty, silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(1);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 1, packages: 1 });
  });

  it('keeps trying to record a retry while DynamoDB refuses, so attempts stay exact', async () => {
    const { store, sent, deps } = setup([busy(), undefined]);
    store.retryFailures = 2;
    expect(await finishPackage(event, deps, plenty, silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(2);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('gives up recording only when the invocation is out of time, and says so by throwing', async () => {
    const { store, deps } = setup([undefined]);
    store.settleFailures = 100;
    let remaining = 3_000;
    const budget = { remainingMs: () => (remaining -= 400) };
    await expect(finishPackage(event, deps, budget, silentLog)).rejects.toThrow(
      'ProvisionedThroughput',
    );
  });

  it('sends at most maxAttemptsPerInvocation requests, then hands back', async () => {
    const { store, sent, deps } = setup(Array.from({ length: 10 }, busy));
    expect(await finishPackage(event, deps, plenty, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation);
    expect(store).toMatchObject({
      status: 'RETRYING',
      attempts: DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation,
    });
  });

  it('hands back at once when the invocation signal has fired', async () => {
    const { sent, deps } = setup([busy(), undefined]);
    const budget = { remainingMs: () => 60_000, signal: AbortSignal.abort() };
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
  });

  it('waits no longer than the policy allows for Retry-After, handing back instead', async () => {
    const longWait = new RetryableSigningHubError(
      'finish',
      { httpStatus: 429, message: 'slow down' },
      120_000,
    );
    const { sent, deps } = setup([longWait, undefined]);
    expect(await finishPackage(event, deps, plenty, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
  });

  it('records the package again when a duplicate finds the finish already SUCCEEDED', async () => {
    const { store, sent, deps } = setup([]);
    store.status = 'SUCCEEDED';
    expect(await finishPackage(event, deps, plenty, silentLog)).toBe('already-settled');
    expect(sent).toHaveLength(0);
    expect(store.packages).toBe(1);
  });
});
