import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { LocalStackState, StackTenant } from '../../dev/local-tenants.ts';
import type { CommandResult } from '../dev/npm-run.ts';

// The npm start under test: its state, and its processes as a user's shell and /proc see them.

/** The secret at the end of a callback URL. */
export const secretOf = (callbackUrl: string): string =>
  new URL(callbackUrl).pathname.split('/').at(-1) ?? '';

/** The second tenant npm start runs. */
export const acmeOf = (stack: LocalStackState): StackTenant => {
  const acme = stack.tenants.find((tenant) => tenant.name === 'acme');
  if (!acme) throw new Error(`npm start runs no tenant acme: ${JSON.stringify(stack.tenants)}`);
  return acme;
};

/** A line as a user pastes it into a shell. */
export const shell = (line: string): Promise<CommandResult> =>
  new Promise((resolve) => {
    execFile('sh', ['-c', line], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });

/** Every process below `root`, found through /proc's parent links. */
export const descendants = async (root: number): Promise<number[]> => {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
};

/** Running, rather than gone or a zombie waiting for whoever adopted it to reap it. */
export const running = async (pid: number): Promise<boolean> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
};

/** What `probe` answers once it answers something; a timeout's error shows `context()`. */
export const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  context: () => string,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await delay(250);
  }
};
