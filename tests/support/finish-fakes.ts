import type { FinishDependencies } from '../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../lib/finish/retry-policy.ts';
import type { SigningEvent } from '../../lib/finish/signing-event.ts';
import { UnrecordedOutcomes } from '../../lib/finish/unrecorded-outcomes.ts';
import { createInvocationBudget, type InvocationBudget } from '../../lib/invocation-timeline.ts';
import type { CallOptions } from '../../lib/signinghub/ports.ts';
import type { FinishStatus } from '../../lib/store/items.ts';
import type { ClaimResult, FinishStore, Lease, SettleFinish } from '../../lib/store/ports.ts';
import { recordMetrics } from './recorded-metrics.ts';

/** Just enough of a store for the use case's decisions; the real one is tested against DynamoDB Local. */
export class FakeStore
  implements Pick<FinishStore, 'claimFinish' | 'recordRetry' | 'settleFinish'>
{
  status: FinishStatus | undefined;
  attempts = 0;
  lastError: SettleFinish['lastError'];
  settleFailures = 0;
  /** The settle a lease taken over answers: nothing written. */
  settleRefused = false;
  /** An IN_FLIGHT item whose lease has expired: the next claim takes it over. */
  leaseExpired = false;
  retryFailures = 0;
  retryWrites = 0;
  packages = 0;
  claims = 0;
  leases: Lease[] = [];

  async claimFinish(_key: unknown, lease: Lease): Promise<ClaimResult> {
    this.claims += 1;
    const { status } = this;
    const held = status === 'IN_FLIGHT' && !this.leaseExpired;
    if (status === 'SUCCEEDED' || status === 'FAILED' || held) return { claimed: false, status };
    this.status = 'IN_FLIGHT';
    this.leases.push(lease);
    return { claimed: true };
  }

  async recordRetry(
    _key: unknown,
    lease: Lease,
    progress: { requestsSent: number; lastError: NonNullable<SettleFinish['lastError']> },
  ): Promise<boolean> {
    this.retryWrites += 1;
    if (this.retryFailures > 0) {
      this.retryFailures -= 1;
      throw new Error('ProvisionedThroughputExceededException');
    }
    this.leases.push(lease);
    this.attempts += progress.requestsSent;
    this.lastError = progress.lastError;
    return true;
  }

  async settleFinish(_key: unknown, _leaseId: string, settle: SettleFinish): Promise<boolean> {
    if (this.settleFailures > 0) {
      this.settleFailures -= 1;
      throw new Error('ProvisionedThroughputExceededException');
    }
    if (this.settleRefused) return false;
    this.status = settle.status;
    this.attempts += settle.requestsSent;
    if (settle.lastError) this.lastError = settle.lastError;
    return true;
  }

  async markInProgress(): Promise<void> {
    this.packages += 1;
  }
}

export const event: SigningEvent = {
  tenant: 'default',
  packageId: 1,
  signerEmail: 'a@x.com',
  eventId: undefined,
  occurredAt: undefined,
};

/** A clock the test moves: sleeping moves it, and so can a step that takes time. */
export const createClock = (start = Date.parse('2026-11-27T10:00:00Z')) => {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

export const setupFinish = (answers: (Error | undefined)[], clock = createClock()) => {
  const store = new FakeStore();
  const metrics = recordMetrics();
  const sent: CallOptions[] = [];
  const deps: FinishDependencies = {
    finishes: store,
    packages: store,
    signingHub: {
      finishPackage: async (_id, options) => {
        sent.push(options);
        options.onRequestSent?.();
        const answer = answers.shift();
        if (answer) throw answer;
      },
    },
    now: () => new Date(clock.now()),
    sleep: async (ms) => clock.advance(ms),
    random: () => 0.5,
    newLeaseId: () => 'lease',
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
    metrics,
    keptOutcomes: new UnrecordedOutcomes(),
  };
  return { store, sent, deps, clock, metrics };
};

/** A 60-second invocation that starts now on the given clock. */
export const budgetOn = (
  clock: { now: () => number },
  remainingMs = 60_000,
  signal?: AbortSignal,
): InvocationBudget => createInvocationBudget(remainingMs, signal, clock.now);
