import { readdirSync, readFileSync } from 'node:fs';

// Linux reports process times in USER_HZ ticks, which its ABI fixes at 100 per second.
const MICROS_PER_TICK = 10_000;

/** The DynamoDB Local JVM listening on `port`, found through /proc; undefined elsewhere. */
export const findDynamoDbLocalPid = (port: number): number | undefined => {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const portAt = args.indexOf('-port');
      if (
        args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) &&
        args[portAt + 1] === String(port)
      ) {
        return Number(entry);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
};

/** User + system CPU a process has used so far, or undefined when it cannot be read. */
export const processCpuMicros = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return Number.isFinite(user + system) ? (user + system) * MICROS_PER_TICK : undefined;
  } catch {
    return undefined;
  }
};
