import { describe, expect, it } from 'vitest';
import { type FinishDependencies, finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import type { SigningEvent } from '../../../lib/finish/signing-event.ts';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
import {
  createInvocationBudget,
  type InvocationBudget,
  LEASE_MARGIN_MS,
} from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import type { CallOptions } from '../../../lib/signinghub/ports.ts';
import type { FinishStatus } from '../../../lib/store/items.ts';
import type { ClaimResult, FinishStore, Lease, SettleFinish } from '../../../lib/store/ports.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import {
  accountDisabled,
  busy,
  credentialsRefused,
  notSent,
  slowDown,
  unauthorized,
} from '../../support/signinghub-errors.ts';

/** Just enough of a store for the use case's decisions; the real one is tested against DynamoDB Local. */
class FakeStore implements Pick<FinishStore, 'claimFinish' | 'recordRetry' | 'settleFinish'> {
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

const event: SigningEvent = {
  tenant: 'default',
  packageId: 1,
  signerEmail: 'a@x.com',
  eventId: undefined,
  occurredAt: undefined,
};

/** A clock the test moves: sleeping moves it, and so can a step that takes time. */
const createClock = (start = Date.parse('2026-11-27T10:00:00Z')) => {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

const setup = (answers: (Error | undefined)[], clock = createClock()) => {
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
const budgetOn = (
  clock: { now: () => number },
  remainingMs = 60_000,
  signal?: AbortSignal,
): InvocationBudget => createInvocationBudget(remainingMs, signal, clock.now);

describe('finishPackage', () => {
  it('keeps trying to record a sent finish while DynamoDB refuses, instead of sending it again', async () => {
    const { store, sent, deps, clock } = setup([undefined]);
    store.settleFailures = 3;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(1);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 1, packages: 1 });
  });

  it('keeps trying to record a retry while DynamoDB refuses, so attempts stay exact', async () => {
    const { store, sent, deps, clock } = setup([busy(), undefined]);
    store.retryFailures = 2;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(2);
    expect(store.retryWrites).toBe(3);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('keeps trying to record a success until just before the invocation must answer', async () => {
    const { store, deps, clock } = setup([undefined]);
    const budget = budgetOn(clock, 10_000);
    let lastTry = 0;
    store.settleFailures = 1_000;
    const settle = store.settleFinish.bind(store);
    store.settleFinish = (...args) => {
      lastTry = clock.now();
      return settle(...args);
    };
    await expect(finishPackage(event, deps, budget, silentLog)).rejects.toThrow(
      'ProvisionedThroughput',
    );
    // The writes may go on past the requests' end, up to the invocation's answer.
    expect(lastTry).toBeGreaterThan(budget.requestsEndAt);
    expect(budget.writeMs()).toBeGreaterThanOrEqual(0);
    expect(budget.writeMs()).toBeLessThan(2_000);
  });

  it.each([
    {
      what: 'keeps a success the table did not take in time, and records it at the next delivery instead of finishing again',
      answers: () => [undefined, undefined],
      next: 'lease expired',
      kept: 1,
      outcome: 'succeeded',
      sent: 1,
      // The package went in beside the finish that could not be written, and again with the
      // kept outcome (the first write may have failed as well).
      after: { status: 'SUCCEEDED', attempts: 1, packages: 2, claims: 1, lastError: undefined },
    },
    {
      what: 'keeps a failure for good the same way, with its error, and no package item',
      answers: () => [accountDisabled(), undefined],
      next: 'lease expired',
      kept: 1,
      outcome: 'failed',
      sent: 1,
      after: {
        status: 'FAILED',
        attempts: 1,
        packages: 0,
        lastError: { httpStatus: 403, message: 'Account is disabled' },
      },
    },
    {
      // No time for a second request: the 503 is handed back and its RETRYING write fails.
      what: 'keeps nothing of a retry it could not record: the next delivery sends again, as it should',
      answers: () => [busy(), undefined],
      noTimeForRetry: true,
      next: 'lease expired',
      kept: 0,
      outcome: 'succeeded',
      sent: 2,
      after: { status: 'SUCCEEDED', lastError: undefined },
    },
    {
      what: 'drops a kept outcome whose lease was taken over, and leaves the finish to the holder',
      answers: () => [undefined],
      next: 'lease taken over',
      kept: 1,
      outcome: 'in-flight-elsewhere',
      sent: 1,
      after: { status: 'IN_FLIGHT', lastError: undefined },
    },
  ] as const)('$what', async (row) => {
    const { store, sent, deps, clock } = setup([...row.answers()]);
    store.settleFailures = 1_000;
    const budget = budgetOn(clock, 10_000);
    if ('noTimeForRetry' in row) clock.advance(budget.requestMs() - deps.requestTimeoutMs);
    await expect(finishPackage(event, deps, budget, silentLog)).rejects.toThrow(
      'ProvisionedThroughput',
    );
    expect(store.status).toBe('IN_FLIGHT');
    expect(deps.keptOutcomes.all()).toHaveLength(row.kept);
    // The table is back a minute later; the lease has expired (a claim would take it over and
    // send again), or another delivery holds it now.
    store.settleFailures = 0;
    if (row.next === 'lease expired') store.leaseExpired = true;
    else store.settleRefused = true;
    clock.advance(60_000);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe(row.outcome);
    expect(sent).toHaveLength(row.sent);
    expect(store).toMatchObject(row.after);
    expect(store.lastError).toEqual(row.after.lastError);
    expect(deps.keptOutcomes.all()).toEqual([]);
  });

  it('sends nothing for a finish settled already, and records the package again only after a success', async () => {
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const { store, sent, deps, clock } = setup([undefined]);
      store.status = status;
      expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('already-settled');
      expect(sent).toHaveLength(0);
      expect(store.packages).toBe(status === 'SUCCEEDED' ? 1 : 0);
    }
  });

  it('hands a Retry-After longer than the policy allows back to the queue at once, and waits one it allows', async () => {
    const { maxRetryAfterMs } = DEFAULT_RETRY_POLICY;
    const tooLong = setup([slowDown(maxRetryAfterMs + 1), undefined]);
    expect(
      await finishPackage(event, tooLong.deps, budgetOn(tooLong.clock, 120_000), silentLog),
    ).toBe('retry-later');
    expect(tooLong.sent).toHaveLength(1);
    const allowed = setup([slowDown(maxRetryAfterMs), undefined]);
    const start = allowed.clock.now();
    expect(
      await finishPackage(event, allowed.deps, budgetOn(allowed.clock, 120_000), silentLog),
    ).toBe('succeeded');
    expect(allowed.sent).toHaveLength(2);
    expect(allowed.clock.now() - start).toBe(maxRetryAfterMs);
  });

  it('sends no more once the lease was lost while recording a retry', async () => {
    const { store, sent, deps, clock } = setup([busy(), undefined]);
    store.recordRetry = async () => false;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('lease-lost');
    expect(sent).toHaveLength(1);
  });

  it('retries a write DynamoDB refuses with growing waits of at most two seconds', async () => {
    const { store, deps, clock } = setup([undefined]);
    store.settleFailures = 6;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    };
    expect(await finishPackage(event, { ...deps, sleep }, budgetOn(clock), silentLog)).toBe(
      'succeeded',
    );
    expect(waits).toEqual([200, 400, 800, 1_600, 2_000, 2_000]);
  });

  it('claims nothing and sends nothing when no request could be answered in time', async () => {
    const { store, sent, deps, clock } = setup([undefined]);
    const budget = budgetOn(clock, 10_000);
    clock.advance(budget.requestMs() - deps.requestTimeoutMs + 1);
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(0);
    expect(store.claims).toBe(0);
  });

  it('starts a retry only while its answer can come before the requests end', async () => {
    const { store, sent, deps, clock } = setup([busy(), undefined]);
    const budget = budgetOn(clock, 10_000);
    // The first answer comes late: no room is left for another request.
    deps.signingHub.finishPackage = async (_id, options) => {
      sent.push(options);
      options.onRequestSent?.();
      clock.advance(budget.requestMs() - deps.requestTimeoutMs);
      throw busy();
    };
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.startBy).toBe(budget.requestsEndAt - deps.requestTimeoutMs);
    expect(store).toMatchObject({ status: 'RETRYING', attempts: 1 });
  });

  it('holds its claim until after the invocation ends, whatever the clock says at claim time', async () => {
    const { store, deps, clock } = setup([busy(), undefined]);
    const budget = budgetOn(clock, 10_000);
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('succeeded');
    expect(store.leases.map(({ leaseUntil }) => leaseUntil)).toEqual([
      budget.leaseUntil,
      budget.leaseUntil,
    ]);
    expect(budget.leaseUntil).toBe(Date.parse('2026-11-27T10:00:10Z') + LEASE_MARGIN_MS);
  });

  it('hands a second 401 back to the queue at once, keeping the 401 as the last error', async () => {
    const { store, sent, deps, clock } = setup([unauthorized(), undefined]);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
    expect(store).toMatchObject({
      status: 'RETRYING',
      lastError: { httpStatus: 401, message: 'Request authorization denied' },
    });
  });

  it('hands an account that cannot authenticate back to the queue without trying again', async () => {
    const { store, sent, deps, clock } = setup([credentialsRefused(), undefined]);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
    expect(store.status).toBe('RETRYING');
  });

  it('keeps the last real error when a retry could not be sent in time', async () => {
    const { store, sent, deps, clock } = setup([busy()]);
    deps.signingHub.finishPackage = async (_id, options) => {
      sent.push(options);
      if (sent.length === 1) {
        options.onRequestSent?.();
        throw busy();
      }
      throw notSent();
    };
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(store).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      lastError: { httpStatus: 503, message: 'busy' },
    });
  });

  it('sends at most maxAttemptsPerInvocation requests, then hands back', async () => {
    const { store, sent, deps, clock } = setup(Array.from({ length: 10 }, busy));
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation);
    expect(store).toMatchObject({
      status: 'RETRYING',
      attempts: DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation,
    });
  });

  it('hands back at once when the invocation signal has fired', async () => {
    const { sent, deps, clock } = setup([busy(), undefined]);
    const budget = budgetOn(clock, 60_000, AbortSignal.abort());
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
  });

  it('waits no longer than the policy allows for Retry-After, handing back instead', async () => {
    const { sent, deps, clock } = setup([slowDown(120_000), undefined]);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
  });
});

describe('finishPackage metrics', () => {
  const occurred = (occurredAt: string | undefined) => ({ ...event, occurredAt });
  it.each([
    {
      what: 'the requests of a settled success and the time since the event occurred',
      answers: () => [busy(), undefined],
      occurredAt: '2026-11-27T09:59:00Z',
      outcome: 'succeeded',
      requests: 2,
      // One minute before the clock started, plus the backoff slept: 0.5 of the first 200 ms.
      sinceEvent: 60_100,
    },
    {
      what: 'a failure for good as settled too',
      answers: () => [accountDisabled()],
      occurredAt: '2026-11-27T11:00:00+01:00',
      outcome: 'failed',
      requests: 1,
      sinceEvent: 0,
    },
  ])('records $what', async ({ answers, occurredAt, outcome, requests, sinceEvent }) => {
    const { deps, clock, metrics } = setup(answers());
    expect(await finishPackage(occurred(occurredAt), deps, budgetOn(clock), silentLog)).toBe(
      outcome,
    );
    expect(metrics.values('FinishRequests')).toEqual([requests]);
    expect(metrics.values('SigningEventToFinish')).toEqual([sinceEvent]);
  });

  it('records nothing settled for a finish handed back to the queue', async () => {
    const { deps, clock, metrics } = setup(Array.from({ length: 10 }, busy));
    const outcome = await finishPackage(
      occurred('2026-11-27T09:59:00Z'),
      deps,
      budgetOn(clock),
      silentLog,
    );
    expect(outcome).toBe('retry-later');
    expect(metrics.points).toEqual([]);
  });

  it('records nothing settled when the lease was lost before the outcome could be written', async () => {
    const { store, deps, clock, metrics } = setup([undefined]);
    store.settleFinish = async () => false;
    const outcome = await finishPackage(event, deps, budgetOn(clock), silentLog);
    expect(outcome).toBe('lease-lost');
    expect(metrics.points).toEqual([]);
  });

  it.each([
    ['absent', undefined],
    ['not a date', 'yesterday'],
    ['a date without a time', '2026-11-27'],
    ['a time without its zone', '2026-11-27T09:59:00'],
    ['after the finish', '2026-11-27T10:05:00Z'],
    ['an impossible date', '2026-13-45T09:59:00Z'],
  ])('leaves SigningEventToFinish out when occurredAt is %s', async (_, occurredAt) => {
    const { deps, clock, metrics } = setup([undefined]);
    expect(await finishPackage(occurred(occurredAt), deps, budgetOn(clock), silentLog)).toBe(
      'succeeded',
    );
    expect(metrics.values('FinishRequests')).toEqual([1]);
    expect(metrics.values('SigningEventToFinish')).toEqual([]);
  });
});
