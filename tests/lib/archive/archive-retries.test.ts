import { describe, expect, it } from 'vitest';
import { FinalFailure, HandBack, persevere } from '../../../lib/archive/archive-retries.ts';
import { BucketError } from '../../../lib/archive/s3-archive-bucket.ts';
import { createInvocationBudget, type InvocationBudget } from '../../../lib/invocation-timeline.ts';
import type { Log, LogFields } from '../../../lib/logger.ts';
import { archiveTestDeps, fakeBucket, REQUEST_TIMEOUT_MS } from '../../support/archive-fakes.ts';
import { busy, slowDown } from '../../support/signinghub-errors.ts';

/** What the invocation keeps apart from SigningHub's time: 1,000 + 250 + 2,000 ms. */
const RESERVED_MS = 3_250;

/** The lines logged, warnings only. */
const recordingLog = () => {
  const warnings: { message: string; fields?: LogFields }[] = [];
  const log: Log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => void warnings.push({ message, fields }),
    error: () => undefined,
  };
  return { log, warnings };
};

/** `send` fails with each of `failures` in turn, then answers 'done'; counts its calls. */
const sender = (...failures: Error[]) => {
  const calls = { count: 0 };
  const send = async () => {
    const failure = failures[calls.count];
    calls.count += 1;
    if (failure) throw failure;
    return 'done';
  };
  return { send, calls };
};

const setup = () => {
  const deps = archiveTestDeps(fakeBucket());
  const { log, warnings } = recordingLog();
  const attempt = (send: () => Promise<string>, budget: InvocationBudget = deps.budget()) =>
    persevere('the workflow details', send, deps, budget, log);
  return { deps, warnings, attempt };
};

/** What an attempt threw. */
const thrown = async (attempted: Promise<unknown>): Promise<unknown> =>
  attempted.then(
    () => {
      throw new Error('the attempt succeeded');
    },
    (error: unknown) => error,
  );

describe('persevere', () => {
  it('tries a transient failure again after a backoff, saying so, and hands back with the answer after the last try', async () => {
    const { deps, warnings, attempt } = setup();
    const { send, calls } = sender(busy('workflow'), busy('workflow'), busy('workflow'), busy());
    expect(await thrown(attempt(send))).toBeInstanceOf(HandBack);
    expect(calls.count).toBe(4);
    expect(deps.clock.slept).toHaveLength(3);
    const error = { httpStatus: 503, message: 'busy' };
    expect(warnings[0]).toEqual({
      message: 'the workflow details failed for now; trying again',
      fields: { error, attempt: 1, delayMs: deps.clock.slept[0] },
    });
    // The line the runbook names: what failed, and SigningHub's answer.
    expect(warnings[3]).toEqual({
      message: 'the workflow details failed for now; handed back to the queue',
      fields: { error, attempt: 4 },
    });
  });

  it('takes S3’s refusal without a status as a final failure naming S3', async () => {
    const { attempt } = setup();
    const { send } = sender(new BucketError('never', 'AccessDenied: no'));
    const failure = await thrown(attempt(send));
    expect(failure).toBeInstanceOf(FinalFailure);
    expect((failure as FinalFailure).details).toStrictEqual({ message: 'S3: AccessDenied: no' });
  });

  it('hands back at once a transient failure once the invocation’s signal has fired', async () => {
    const { deps, attempt } = setup();
    const ended = new AbortController();
    ended.abort();
    const budget = createInvocationBudget(120_000, ended.signal, () => deps.clock.ms);
    const { send, calls } = sender(busy('workflow'));
    expect(await thrown(attempt(send, budget))).toBeInstanceOf(HandBack);
    expect(calls.count).toBe(1);
    expect(deps.clock.slept).toEqual([]);
  });

  it('waits a Retry-After up to the policy’s longest, and hands back one longer', async () => {
    const { deps, attempt } = setup();
    const longest = deps.retryPolicy.maxRetryAfterMs;
    expect(await attempt(sender(slowDown(longest)).send, deps.budget(120_000))).toBe('done');
    expect(deps.clock.slept).toEqual([longest]);
    const longer = sender(slowDown(longest + 1));
    expect(await thrown(attempt(longer.send, deps.budget(120_000)))).toBeInstanceOf(HandBack);
    expect(longer.calls.count).toBe(1);
    expect(deps.clock.slept).toEqual([longest]);
  });

  it('tries again only while one attempt’s time is left after the wait', async () => {
    const { deps, attempt } = setup();
    const waitMs = 5_000;
    // Exactly one attempt's time left once the Retry-After is waited: tried again.
    const justEnough = deps.budget(RESERVED_MS + waitMs + REQUEST_TIMEOUT_MS);
    expect(await attempt(sender(slowDown(waitMs)).send, justEnough)).toBe('done');
    expect(deps.clock.slept).toEqual([waitMs]);
    // A millisecond less: handed back without waiting.
    const tooLittle = deps.budget(RESERVED_MS + waitMs + REQUEST_TIMEOUT_MS - 1);
    expect(await thrown(attempt(sender(slowDown(waitMs)).send, tooLittle))).toBeInstanceOf(
      HandBack,
    );
    expect(deps.clock.slept).toEqual([waitMs]);
  });
});
