import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`, or at once when the signal fires; never rejects. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

/** The real clock, timers, randomness and ids, for the use cases that take them as parameters. */
export const SYSTEM = Object.freeze({
  now: () => new Date(),
  sleep,
  random: Math.random,
  newLeaseId: randomUUID,
});
