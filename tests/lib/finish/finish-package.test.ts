import { describe, expect, it } from 'vitest';
import { finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import { LEASE_MARGIN_MS } from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import { budgetOn, event, setupFinish } from '../../support/finish-fakes.ts';
import {
  accountDisabled,
  busy,
  credentialsRefused,
  notSent,
  slowDown,
  unauthorized,
} from '../../support/signinghub-errors.ts';

describe('finishPackage', () => {
  it('keeps trying to record a sent finish while DynamoDB refuses, instead of sending it again', async () => {
    const { store, sent, deps, clock } = setupFinish([undefined]);
    store.settleFailures = 3;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(1);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 1, packages: 1 });
  });

  it('keeps trying to record a retry while DynamoDB refuses, so attempts stay exact', async () => {
    const { store, sent, deps, clock } = setupFinish([busy(), undefined]);
    store.retryFailures = 2;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(2);
    expect(store.retryWrites).toBe(3);
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('keeps trying to record a success until just before the invocation must answer', async () => {
    const { store, deps, clock } = setupFinish([undefined]);
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
    const { store, sent, deps, clock } = setupFinish([...row.answers()]);
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
      const { store, sent, deps, clock } = setupFinish([undefined]);
      store.status = status;
      expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('already-settled');
      expect(sent).toHaveLength(0);
      expect(store.packages).toBe(status === 'SUCCEEDED' ? 1 : 0);
    }
  });

  it('hands a Retry-After longer than the policy allows back to the queue at once, and waits one it allows', async () => {
    const { maxRetryAfterMs } = DEFAULT_RETRY_POLICY;
    const tooLong = setupFinish([slowDown(maxRetryAfterMs + 1), undefined]);
    expect(
      await finishPackage(event, tooLong.deps, budgetOn(tooLong.clock, 120_000), silentLog),
    ).toBe('retry-later');
    expect(tooLong.sent).toHaveLength(1);
    const allowed = setupFinish([slowDown(maxRetryAfterMs), undefined]);
    const start = allowed.clock.now();
    expect(
      await finishPackage(event, allowed.deps, budgetOn(allowed.clock, 120_000), silentLog),
    ).toBe('succeeded');
    expect(allowed.sent).toHaveLength(2);
    expect(allowed.clock.now() - start).toBe(maxRetryAfterMs);
  });

  it('sends no more once the lease was lost while recording a retry', async () => {
    const { store, sent, deps, clock } = setupFinish([busy(), undefined]);
    store.recordRetry = async () => false;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('lease-lost');
    expect(sent).toHaveLength(1);
  });

  it('retries a write DynamoDB refuses with growing waits of at most two seconds', async () => {
    const { store, deps, clock } = setupFinish([undefined]);
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
    const { store, sent, deps, clock } = setupFinish([undefined]);
    const budget = budgetOn(clock, 10_000);
    clock.advance(budget.requestMs() - deps.requestTimeoutMs + 1);
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(0);
    expect(store.claims).toBe(0);
  });

  it('starts a retry only while its answer can come before the requests end', async () => {
    const { store, sent, deps, clock } = setupFinish([busy(), undefined]);
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
    const { store, deps, clock } = setupFinish([busy(), undefined]);
    const budget = budgetOn(clock, 10_000);
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('succeeded');
    expect(store.leases.map(({ leaseUntil }) => leaseUntil)).toEqual([
      budget.leaseUntil,
      budget.leaseUntil,
    ]);
    expect(budget.leaseUntil).toBe(Date.parse('2026-11-27T10:00:10Z') + LEASE_MARGIN_MS);
  });

  it('hands a second 401 back to the queue at once, keeping the 401 as the last error', async () => {
    const { store, sent, deps, clock } = setupFinish([unauthorized(), undefined]);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
    expect(store).toMatchObject({
      status: 'RETRYING',
      lastError: { httpStatus: 401, message: 'Request authorization denied' },
    });
  });

  it('hands an account that cannot authenticate back to the queue without trying again', async () => {
    const { store, sent, deps, clock } = setupFinish([credentialsRefused(), undefined]);
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
    expect(store.status).toBe('RETRYING');
  });

  it('keeps the last real error when a retry could not be sent in time', async () => {
    const { store, sent, deps, clock } = setupFinish([busy()]);
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
    const { store, sent, deps, clock } = setupFinish(Array.from({ length: 10 }, busy));
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation);
    expect(store).toMatchObject({
      status: 'RETRYING',
      attempts: DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation,
    });
  });

  it('hands back at once when the invocation signal has fired', async () => {
    const { sent, deps, clock } = setupFinish([busy(), undefined]);
    const budget = budgetOn(clock, 60_000, AbortSignal.abort());
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('retry-later');
    expect(sent).toHaveLength(1);
  });

  it('waits no longer than the policy allows for Retry-After, handing back instead', async () => {
    const { sent, deps, clock } = setupFinish([slowDown(120_000), undefined]);
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
    const { deps, clock, metrics } = setupFinish(answers());
    expect(await finishPackage(occurred(occurredAt), deps, budgetOn(clock), silentLog)).toBe(
      outcome,
    );
    expect(metrics.values('FinishRequests')).toEqual([requests]);
    expect(metrics.values('SigningEventToFinish')).toEqual([sinceEvent]);
  });

  it('records nothing settled for a finish handed back to the queue', async () => {
    const { deps, clock, metrics } = setupFinish(Array.from({ length: 10 }, busy));
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
    const { store, deps, clock, metrics } = setupFinish([undefined]);
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
    const { deps, clock, metrics } = setupFinish([undefined]);
    expect(await finishPackage(occurred(occurredAt), deps, budgetOn(clock), silentLog)).toBe(
      'succeeded',
    );
    expect(metrics.values('FinishRequests')).toEqual([1]);
    expect(metrics.values('SigningEventToFinish')).toEqual([]);
  });
});
