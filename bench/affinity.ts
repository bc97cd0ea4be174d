import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** "0-3,6,8-9" → [0, 1, 2, 3, 6, 8, 9]. */
export const parseCpuList = (list: string): number[] =>
  list
    .trim()
    .split(',')
    .filter((part) => part !== '')
    .flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      if (
        from === undefined ||
        to === undefined ||
        !Number.isInteger(from) ||
        !Number.isInteger(to)
      ) {
        return [];
      }
      return Array.from({ length: to - from + 1 }, (_, index) => from + index);
    });

/** The CPUs this process may run on (Linux), or undefined where that cannot be read. */
export const allowedCpus = (): number[] | undefined => {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    return list === undefined ? undefined : parseCpuList(list);
  } catch {
    return undefined;
  }
};

/** Where the handlers run, and where everything else of the bench runs (DynamoDB Local, the simulator). */
export interface CpuPlan {
  readonly handlers: readonly number[];
  readonly services: readonly number[];
}

/**
 * Splits the CPUs in two: the measured handlers on the first half, DynamoDB Local's JVM and the
 * bench's own process (simulator, counting proxy) on the rest, so that neither's work lands on
 * the other's core. With one CPU there is nothing to split.
 */
export const planCpus = (cpus: readonly number[] | undefined): CpuPlan | undefined => {
  if (!cpus || cpus.length < 2) return undefined;
  const half = Math.floor(cpus.length / 2);
  return { handlers: cpus.slice(0, half), services: cpus.slice(half) };
};

/** Pins every thread of a process to `cpus` with taskset; false when that is not possible here. */
export const pinToCpus = async (pid: number, cpus: readonly number[]): Promise<boolean> => {
  try {
    await run('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
};
