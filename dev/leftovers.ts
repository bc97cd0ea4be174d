import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildRecord } from '../ops/stack-state.ts';
import { isAlive } from '../ops/stack-state.ts';

const commandLine = async (pid: number): Promise<string | undefined> => {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return undefined;
  }
};

const parentOf = async (pid: number): Promise<number | undefined> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (in parentheses) may hold spaces; the parent pid is the 2nd field after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
};

/** Direct children of this process whose command line holds `marker` (Linux; none elsewhere). */
export const findOwnChildren = async (marker: string): Promise<ChildRecord[]> => {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: ChildRecord[] = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if ((await parentOf(pid)) !== process.pid) continue;
    if ((await commandLine(pid))?.includes(marker)) found.push({ pid, marker });
  }
  return found;
};

/** Whether the pid still runs the command it was recorded with (pids are reused). */
const stillOurs = async (child: ChildRecord): Promise<boolean> =>
  isAlive(child.pid) && ((await commandLine(child.pid))?.includes(child.marker) ?? false);

const signal = (pid: number, name: NodeJS.Signals): void => {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, name);
    } catch {
      // Not a group leader, or gone.
    }
  }
};

/** Stops what a killed `npm start` left running; answers the pids it stopped. */
export const stopLeftovers = async (children: readonly ChildRecord[]): Promise<number[]> => {
  const running: ChildRecord[] = [];
  for (const child of children) if (await stillOurs(child)) running.push(child);
  for (const child of running) signal(child.pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && running.some((child) => isAlive(child.pid))) await delay(100);
  for (const child of running) if (isAlive(child.pid)) signal(child.pid, 'SIGKILL');
  return running.map((child) => child.pid);
};
