import { describe, expect, it } from 'vitest';
import { failureForecast, readFailurePlan } from '../../dev/simulator-failures.ts';
import { DEFAULT_RETRY_POLICY } from '../../lib/finish/retry-policy.ts';

// `npm run simulator -- fail`: the words it takes, and what it promises `npm run event` shows.

const USAGE = 'usage: npm run simulator -- …';
const forecast = (word: string, times = 1) => {
  const plan = readFailurePlan(1001, word, times === 1 ? undefined : String(times), USAGE);
  if (plan.kind !== 'fail') throw new Error('not a failure');
  return failureForecast({ ...plan, signer: 'alice@example.com', timeoutMs: 10_000 });
};

describe('failureForecast', () => {
  it('promises FAILED for a final status', () => {
    expect(forecast('403')).toBe(
      'package 1001: the simulator answers its next finish request with 403, then answers as ' +
        'usual; ' +
        'npm run event -- 1001 alice@example.com will show FAILED (a 403 is final: the function ' +
        'does not send it again)',
    );
    for (const status of ['400', '404', '410', '422']) expect(forecast(status)).toContain('FAILED');
  });

  it('promises SUCCEEDED after the retries one delivery makes, below its limit', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation).toBe(4);
    expect(forecast('500', 3)).toBe(
      'package 1001: the simulator answers its next 3 finish requests with 500, then answers ' +
        'as usual; ' +
        'npm run event -- 1001 alice@example.com will show SUCCEEDED after 4 finish requests ' +
        '(the function tries up to 4 times in one delivery: --times 4 or more shows RETRYING)',
    );
    expect(forecast('429')).toContain('SUCCEEDED after 2 finish requests');
  });

  it('promises RETRYING for each delivery the failures fill, then SUCCEEDED', () => {
    expect(forecast('503', 4)).toBe(
      'package 1001: the simulator answers its next 4 finish requests with 503, then answers ' +
        'as usual; npm run event -- 1001 alice@example.com will show RETRYING the first time ' +
        '(4 finish requests, then handed back to the queue), then SUCCEEDED when run again',
    );
    expect(forecast('500', 9)).toContain(
      'will show RETRYING the first 2 times (4 finish requests each, then handed back',
    );
  });

  it('says how a timeout and a dropped connection look', () => {
    expect(forecast('timeout')).toBe(
      'package 1001: the simulator leaves its next finish request unanswered (the function ' +
        'gives each up after 10 s, SIGNINGHUB_TIMEOUT_MS), then answers as usual; npm run ' +
        'event -- 1001 alice@example.com will show SUCCEEDED after 2 finish requests (the ' +
        'function tries up to 4 times in one delivery: --times 4 or more shows RETRYING)',
    );
    expect(forecast('drop', 4)).toContain(
      'the simulator cuts the connection of its next 4 finish requests, then answers as usual; ' +
        'npm run event -- 1001 alice@example.com will show RETRYING the first time',
    );
  });
});

describe('readFailurePlan', () => {
  it('reads a failure with --times, and off', () => {
    expect(readFailurePlan(7, '500', '3', USAGE)).toEqual({
      kind: 'fail',
      packageId: 7,
      word: '500',
      failure: { kind: 'status', status: 500 },
      times: 3,
    });
    expect(readFailurePlan(7, 'timeout', undefined, USAGE)).toMatchObject({
      failure: { kind: 'timeout' },
      times: 1,
    });
    expect(readFailurePlan(7, 'off', undefined, USAGE)).toEqual({ kind: 'off', packageId: 7 });
  });

  it.each([
    [
      undefined,
      undefined,
      `the failure is missing: give an HTTP status from 400 to 599, timeout, drop, or off; ${USAGE}`,
    ],
    ['200', undefined, '"200" is not a failure: give an HTTP status from 400 to 599'],
    ['600', undefined, '"600" is not a failure'],
    ['hang', undefined, '"hang" is not a failure'],
    ['401', undefined, '401 is what the simulator answers a stale token'],
    ['500', '0', `--times takes a whole number from 1 to 100; ${USAGE}`],
    ['500', '101', '--times takes a whole number from 1 to 100'],
    ['500', 'x', '--times takes a whole number from 1 to 100'],
    ['off', '2', `--times goes with a failure, not off; ${USAGE}`],
  ])('refuses %s --times %s as a usage error', (word, times, message) => {
    expect(() => readFailurePlan(7, word, times, USAGE)).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }),
    );
  });
});
