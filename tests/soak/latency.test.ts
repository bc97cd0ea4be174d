import { describe, expect, it } from 'vitest';
import { latencyByTenant } from './latency.ts';
import { seededRandom } from './random.ts';
import { DEFAULT_SOAK_OPTIONS } from './soak-options.ts';
import { createWorkload, type WorkloadMessage } from './workload.ts';

const workload = createWorkload(
  { ...DEFAULT_SOAK_OPTIONS, events: 400, unknownTenantEvents: 2 },
  seededRandom(7),
);
const faulted = new Set([
  ...workload.finishScripts.keys(),
  ...workload.lateAnswers.keys(),
  ...workload.workflowScripts.keys(),
  ...workload.faults.outagePackages,
]);
const refOf = (message: WorkloadMessage) => message.key?.slice(0, message.key.indexOf('|'));

/** Every message sent at 0 and settled `latency(message, i)` later. */
const timed = (latency: (message: WorkloadMessage, i: number) => number) => {
  const sentAt = new Map<string, number>();
  const deletedAt = new Map<string, number>();
  workload.messages.forEach((message, i) => {
    sentAt.set(message.messageId, 0);
    deletedAt.set(message.messageId, latency(message, i));
  });
  return { sentAt, deletedAt };
};

describe('the time from a signing event to its settled finish', () => {
  it('counts per tenant every event and copy that settled, by nearest rank', () => {
    const { sentAt, deletedAt } = timed((_message, i) => i + 1);
    const latency = latencyByTenant(workload, sentAt, deletedAt, undefined);
    for (const { name } of workload.tenants) {
      const own = workload.messages
        .map((message, i) => ({ message, value: i + 1 }))
        .filter(({ message }) => message.tenant === name && message.key !== undefined)
        .map(({ value }) => value);
      expect(latency.get(name)).toMatchObject({
        settled: own.length,
        medianMs: own[Math.ceil(own.length / 2) - 1],
        p95Ms: own[Math.ceil(own.length * 0.95) - 1],
      });
    }
  });

  it('leaves out of the untouched figures faulted packages, copies, and events DynamoDB held up', () => {
    // A fault of its own, a copy, or in flight while DynamoDB was away: 10 s; the rest: 10 ms.
    const away = { stoppedAt: 100_000, restartedAt: 105_000 };
    const sentAt = new Map<string, number>();
    const deletedAt = new Map<string, number>();
    workload.messages.forEach((message, i) => {
      const heldUp = i % 7 === 0;
      const slow = heldUp || message.kind !== 'event' || faulted.has(refOf(message) ?? '');
      sentAt.set(message.messageId, heldUp ? 99_000 : 0);
      deletedAt.set(message.messageId, (heldUp ? 99_000 : 0) + (slow ? 10_000 : 10));
    });
    const latency = latencyByTenant(workload, sentAt, deletedAt, away);
    for (const { name } of workload.tenants) {
      const figures = latency.get(name);
      expect(figures?.untouched.settled).toBeGreaterThan(0);
      expect(figures?.untouched.p95Ms, name).toBe(10);
      expect(figures?.p95Ms, name).toBe(10_000);
    }
  });
});
