import { describe, expect, it } from 'vitest';
import { type FinishDependencies, finishPackage } from '../../../lib/finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import type { SigningEvent } from '../../../lib/finish/signing-event.ts';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
import { createInvocationBudget } from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import {
  AuthenticationError,
  RetryableSigningHubError,
  SigningHubAbortedError,
} from '../../../lib/signinghub/errors.ts';
import type { SettleFinish } from '../../../lib/store/ports.ts';
import { CircuitOpenError } from '../../../lib/tenants/circuit-breaker.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';

const event: SigningEvent = {
  tenant: 'acme',
  packageId: 5,
  signerEmail: 'a@x.com',
  eventId: undefined,
  occurredAt: undefined,
};

/**
 * A finish whose SigningHub throws `error` without sending a finish request (it fails before:
 * at the authentication, or not at all); what the item is settled with.
 */
const settledWith = async (error: Error, earlier?: Error) => {
  const settled: SettleFinish[] = [];
  const answers = earlier ? [earlier, error] : [error];
  const deps: FinishDependencies = {
    finishes: {
      claimFinish: async () => ({ claimed: true }),
      recordRetry: async () => true,
      settleFinish: async (_key, _lease, settle) => {
        settled.push(settle);
        return true;
      },
    },
    packages: { markInProgress: async () => {} },
    signingHub: {
      finishPackage: async (_id, options) => {
        const answer = answers.shift() ?? error;
        // The earlier answer came from a finish request that left; the last from none.
        if (answer === earlier) options.onRequestSent?.();
        throw answer;
      },
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
    sleep: async () => {},
    random: () => 0.5,
    newLeaseId: () => 'lease',
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
    metrics: recordMetrics(),
    keptOutcomes: new UnrecordedOutcomes(),
  };
  const outcome = await finishPackage(event, deps, createInvocationBudget(60_000), silentLog);
  return { outcome, settled };
};

describe('finishPackage when no finish request leaves', () => {
  it('records refused credentials as the reason, RETRYING: the package is not at fault', async () => {
    const refused = new AuthenticationError({ httpStatus: 400, message: 'invalid_grant' });
    const { outcome, settled } = await settledWith(refused);
    expect(outcome).toBe('retry-later');
    expect(settled).toEqual([
      {
        status: 'RETRYING',
        now: expect.any(Date),
        requestsSent: 0,
        lastError: { httpStatus: 400, message: 'invalid_grant' },
      },
    ]);
  });

  it.each([
    ['an open circuit', new CircuitOpenError('finish', { message: 'not sent: circuit open' })],
    ['a cancelled invocation', new SigningHubAbortedError('finish', { message: 'cancelled' })],
  ])('keeps the last real error through %s, which SigningHub never saw', async (_what, error) => {
    const busy = new RetryableSigningHubError('finish', { httpStatus: 503, message: 'busy' });
    const { settled } = await settledWith(error, busy);
    expect(settled.at(-1)).toMatchObject({ status: 'RETRYING', lastError: undefined });
  });
});
