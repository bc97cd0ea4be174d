import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly load: () => number;
}

const cpuModel = (): string => {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
};

export const describeMachine = (): Machine => ({
  cores: availableParallelism(),
  memoryGiB: totalmem() / 1024 ** 3,
  cpuModel: cpuModel(),
  node: process.version,
  load: () => loadavg()[0] ?? 0,
});
