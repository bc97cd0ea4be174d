import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/** Stops a service's process: SIGTERM, and SIGKILL only if it has not exited within `graceMs`. */
export const stopChild = async (child: ChildProcess, graceMs: number): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // The grace's timer goes with the child: left running, it held the test run's process (and
  // Vitest's servers) open for up to graceMs after every run.
  const grace = new AbortController();
  const stopped = await Promise.race([
    gone.then(() => true),
    delay(graceMs, false, { signal: grace.signal }).catch(() => true),
  ]);
  grace.abort();
  if (!stopped) child.kill('SIGKILL');
};

/** Asks `answers` every 100 ms until it says yes; throws `what` after `timeoutMs`. */
export const waitUntilAnswering = async (
  answers: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
};
