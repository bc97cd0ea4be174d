import { describe, expect, it } from 'vitest';
import { finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../lib/finish/retry-policy.ts';
import { silentLog } from '../../../lib/logger.ts';
import { budgetOn, event, type FakeStore, setupFinish } from '../../support/finish-fakes.ts';
import { accountDisabled, busy, slowDown } from '../../support/signinghub-errors.ts';
import { recordLog } from '../aws/secrets-fixture.ts';

/** A sleep on the test's clock that keeps what it was asked to wait. */
const recordedSleep = (clock: { advance: (ms: number) => void }) => {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    clock.advance(ms);
  };
  return { waits, sleep };
};

describe('finishPackage: an error that is not SigningHub’s', () => {
  it('hands the finish back as RETRYING, without its text in the table, and throws it', async () => {
    const { store, deps, clock } = setupFinish([new TypeError('s3cr3t in a stack trace')]);
    await expect(finishPackage(event, deps, budgetOn(clock), silentLog)).rejects.toThrow(
      's3cr3t in a stack trace',
    );
    expect(store).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      lastError: { message: 'unexpected error; see the logs' },
    });
  });

  it('throws an error of its own when the client threw nothing', async () => {
    const { store, deps, clock } = setupFinish([]);
    deps.signingHub.finishPackage = async () => {
      throw undefined;
    };
    await expect(finishPackage(event, deps, budgetOn(clock), silentLog)).rejects.toThrow(
      /^finish threw nothing$/,
    );
    expect(store.status).toBe('RETRYING');
  });
});

describe('finishPackage: when to retry and when to hand back', () => {
  it('retries when the answer of the next request can still come exactly in time', async () => {
    const { sent, deps, clock } = setupFinish([busy(), undefined]);
    const budget = budgetOn(clock, 10_000);
    const delay = retryDelayMs(DEFAULT_RETRY_POLICY, 1, undefined, deps.random);
    expect(delay).toBeGreaterThan(0);
    const answer = deps.signingHub.finishPackage;
    deps.signingHub.finishPackage = async (id, options) => {
      // The first answer comes so late that, after the backoff, exactly one request's time is left.
      if (sent.length === 0) clock.advance(budget.requestMs() - deps.requestTimeoutMs - delay);
      return answer(id, options);
    };
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('succeeded');
    expect(sent).toHaveLength(2);
  });

  it('waits out a backoff only before a retry, never before handing back', async () => {
    const { sent, deps, clock } = setupFinish(Array.from({ length: 10 }, busy));
    const { waits, sleep } = recordedSleep(clock);
    expect(await finishPackage(event, { ...deps, sleep }, budgetOn(clock), silentLog)).toBe(
      'retry-later',
    );
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation);
    expect(waits).toHaveLength(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation - 1);

    const tooLong = setupFinish([slowDown(DEFAULT_RETRY_POLICY.maxRetryAfterMs + 1)]);
    const quick = recordedSleep(tooLong.clock);
    const budget = budgetOn(tooLong.clock, 120_000);
    const outcome = await finishPackage(event, { ...tooLong.deps, ...quick }, budget, silentLog);
    expect(outcome).toBe('retry-later');
    expect(quick.waits).toEqual([]);
  });

  it('records the answer of the last request sent with the finish it hands back', async () => {
    const { store, deps, clock } = setupFinish(Array.from({ length: 10 }, busy));
    // The retries' writes keep no error of their own: the hand-back's write must carry it.
    store.recordRetry = async () => true;
    expect(await finishPackage(event, deps, budgetOn(clock), silentLog)).toBe('retry-later');
    expect(store).toMatchObject({
      status: 'RETRYING',
      lastError: { httpStatus: 503, message: 'busy' },
    });
  });

  it('tries a refused write again while exactly its wait is left before the invocation answers', async () => {
    const { store, deps, clock } = setupFinish([]);
    const budget = budgetOn(clock, 10_000);
    store.settleFailures = 1;
    deps.signingHub.finishPackage = async (_id, options) => {
      options.onRequestSent?.();
      // SigningHub answers so late that the first wait after a refused write (200 ms) just fits.
      clock.advance(budget.writeMs() - 200);
    };
    expect(await finishPackage(event, deps, budget, silentLog)).toBe('succeeded');
    expect(store).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(budget.writeMs()).toBe(0);
  });
});

describe('finishPackage: what the log says', () => {
  it('names a failure for good with its error and the attempt', async () => {
    const { deps, clock } = setupFinish([busy(), accountDisabled()]);
    const log = recordLog();
    expect(await finishPackage(event, deps, budgetOn(clock), log)).toBe('failed');
    expect(log.lines.filter(({ level }) => level === 'error')).toEqual([
      {
        level: 'error',
        message: 'finish failed for good',
        fields: { lastError: { httpStatus: 403, message: 'Account is disabled' }, attempt: 2 },
      },
    ]);
  });

  it('names a finish handed back to the queue with its last error', async () => {
    const { deps, clock } = setupFinish(Array.from({ length: 10 }, busy));
    const log = recordLog();
    expect(await finishPackage(event, deps, budgetOn(clock), log)).toBe('retry-later');
    const { maxAttemptsPerInvocation } = DEFAULT_RETRY_POLICY;
    expect(log.lines.at(-1)).toEqual({
      level: 'warn',
      message: 'finish failed for now; handed back to the queue',
      fields: {
        lastError: { httpStatus: 503, message: 'busy' },
        attempt: maxAttemptsPerInvocation,
      },
    });
    const retries = log.lines.filter(
      ({ message }) => message === 'finish failed for now; retrying',
    );
    expect(retries.map(({ fields }) => fields?.attempt)).toEqual([1, 2, 3]);
  });

  it('names a success and a finish with no time left for it', async () => {
    const { deps, clock } = setupFinish([undefined]);
    const log = recordLog();
    expect(await finishPackage(event, deps, budgetOn(clock), log)).toBe('succeeded');
    expect(log.lines).toEqual([
      { level: 'info', message: 'finish succeeded', fields: { attempt: 1 } },
    ]);

    const late = setupFinish([undefined]);
    const budget = budgetOn(late.clock, 10_000);
    late.clock.advance(budget.requestMs());
    const lateLog = recordLog();
    expect(await finishPackage(event, late.deps, budget, lateLog)).toBe('retry-later');
    expect(lateLog.lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'warn no time left in the invocation for a finish; handed back to the queue',
    ]);
  });

  it('names a refused write, what it was and the error’s name, then the outcome it kept in memory', async () => {
    const { store, deps, clock } = setupFinish([undefined]);
    store.settleFailures = 1_000;
    const log = recordLog();
    await expect(finishPackage(event, deps, budgetOn(clock, 10_000), log)).rejects.toThrow();
    expect(log.lines[0]).toEqual({
      level: 'warn',
      message: 'could not record the finish outcome; trying again',
      fields: { error: 'Error', tries: 1 },
    });
    expect(log.lines.at(-1)).toEqual({
      level: 'error',
      message: 'finish outcome kept in memory: the table did not take it in time',
      fields: { finishStatus: 'SUCCEEDED' },
    });

    // The next delivery records it, and says so.
    store.settleFailures = 0;
    store.leaseExpired = true;
    const next = recordLog();
    expect(await finishPackage(event, deps, budgetOn(clock), next)).toBe('succeeded');
    expect(next.lines).toEqual([
      {
        level: 'info',
        message: 'finish outcome of an earlier delivery recorded; nothing sent',
        fields: { finishStatus: 'SUCCEEDED' },
      },
    ]);
  });

  it('names each write it tries again: a retry, the package, an error that is not an Error', async () => {
    const { store, deps, clock } = setupFinish([busy(), undefined]);
    store.retryFailures = 1;
    let packageRefused = false;
    store.markInProgress = async () => {
      if (packageRefused) return;
      packageRefused = true;
      throw 'throttled';
    };
    const log = recordLog();
    expect(await finishPackage(event, deps, budgetOn(clock), log)).toBe('succeeded');
    expect(
      log.lines
        .filter(({ message }) => message.startsWith('could not record'))
        .map(({ message, fields }) => [message, fields]),
    ).toEqual([
      ['could not record the retry; trying again', { error: 'Error', tries: 1 }],
      ['could not record the package; trying again', { error: 'unknown', tries: 1 }],
    ]);
  });

  it('names a finish settled already, one in flight elsewhere, and a lease lost after the send', async () => {
    const lines = async (prepare: (store: FakeStore) => void) => {
      const { store, deps, clock } = setupFinish([undefined]);
      prepare(store);
      const log = recordLog();
      const outcome = await finishPackage(event, deps, budgetOn(clock), log);
      return [outcome, ...log.lines.map(({ level, message, fields }) => [level, message, fields])];
    };
    expect(await lines((store) => (store.status = 'FAILED'))).toEqual([
      'already-settled',
      ['info', 'finish already settled; nothing sent', { finishStatus: 'FAILED' }],
    ]);
    expect(await lines((store) => (store.status = 'IN_FLIGHT'))).toEqual([
      'in-flight-elsewhere',
      ['info', 'finish in flight elsewhere', { finishStatus: 'IN_FLIGHT' }],
    ]);
    expect(await lines((store) => (store.settleRefused = true))).toEqual([
      'lease-lost',
      ['warn', 'finish sent but the lease was lost before it could be recorded', { attempt: 1 }],
    ]);
  });
});
