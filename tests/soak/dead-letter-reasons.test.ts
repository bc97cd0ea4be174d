import { describe, expect, it } from 'vitest';
import type { SimulatorCall } from '../../harness/simulator/types.ts';
import { deadLetterReasons, inFlightElsewhereCounter } from './dead-letter-reasons.ts';
import type { DeadLetter } from './sqs-emulation.ts';
import type { WorkloadMessage } from './workload.ts';

const KEY = 'beta/100008|signer-3@example.com';

const message = (messageId: string): WorkloadMessage => ({
  messageId,
  body: '{}',
  kind: 'event',
  tenant: 'beta',
  key: KEY,
  partner: undefined,
});

const deadLetter = (messageId: string, receiveCount: number): DeadLetter => ({
  messageId,
  body: '{}',
  receiveCount,
  movedAt: 10_000,
  receivedAt: Array.from({ length: receiveCount }, (_, index) => 1_000 + index * 4_000),
  staleDeletes: 0,
  handedBackLater: 0,
});

const failedFinish = (status: SimulatorCall['status']): SimulatorCall => ({
  enterprise: 'beta',
  operation: 'finish',
  method: 'POST',
  path: '/v3/packages/100008/finish',
  packageId: 100008,
  status,
  headers: {},
  bodyLength: 0,
  at: 1_000,
});

const reasonsFor = (
  receives: number,
  inFlightElsewhere: number,
  calls: readonly SimulatorCall[] = [],
) =>
  deadLetterReasons({
    workload: { messages: [message('m-1')], faults: { outagePackages: [] } },
    deadLetters: [deadLetter('m-1', receives)],
    calls: [...calls],
    tenantOutage: undefined,
    finishKeyOfCall: () => KEY,
    inFlightElsewhere: new Map(inFlightElsewhere > 0 ? [['m-1', inFlightElsewhere]] : []),
  });

describe('why a finish message was dead-lettered', () => {
  it('explains receives answered "in flight elsewhere" with the failures of the lease holder', () => {
    const row = reasonsFor(5, 3, [failedFinish(503), failedFinish('hang')]);
    expect(row.ok).toBe(true);
    expect(row.observed).toMatch(/^1: another delivery of its finish held the lease/);
  });

  it('finds no reason when receives are left that neither explains', () => {
    const row = reasonsFor(5, 3, [failedFinish(503)]);
    expect(row.ok).toBe(false);
    expect(row.examples).toEqual([
      'm-1 (event beta/100008|signer-3@example.com): 5 receives, 0 handed back later, ' +
        '0 stale deletes, 3 answered "in flight elsewhere"',
    ]);
  });

  it('still names SigningHub when its failures alone cover every receive', () => {
    const row = reasonsFor(2, 1, [failedFinish(500), failedFinish(429)]);
    expect(row.observed).toBe('1: SigningHub failed its finish again and again');
  });
});

describe('the count of deliveries answered "finish in flight elsewhere"', () => {
  it('counts per message id the finish function’s lines that say so, and nothing else', () => {
    const counter = inFlightElsewhereCounter();
    const line = (message: string, messageId: string) =>
      JSON.stringify({ level: 'INFO', message, packageId: 7, messageId });
    counter.observe(line('finish in flight elsewhere', 'm-1'));
    counter.observe(line('finish in flight elsewhere', 'm-1'));
    counter.observe(line('finish in flight elsewhere', 'm-2'));
    counter.observe(line('finish succeeded', 'm-3'));
    counter.observe('{"level":"INFO","message":"finish in flight elsewhere"}');
    expect([...counter.counts]).toEqual([
      ['m-1', 2],
      ['m-2', 1],
    ]);
  });
});
