import { parseCommand, positiveIntegerOf, UsageError, usageLine } from '../ops/command-line.ts';
import type { WarmOptions } from './warm/warm-phase.ts';

export const COMMAND = {
  name: 'bench',
  synopsis: '[--quick] [--rounds N] [--profile] [--archive-only] [--no-pin] [--samples FILE]',
  summary:
    'Measures sizes, cold starts and warm cost of every function beside the floor and the peer, ' +
    'in interleaved rounds, prices a million finishes, checks the budgets, measures the ' +
    "archive's throughput and memory, and rewrites BENCHMARKS.md.",
  options: {
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    profile: { type: 'boolean' },
    'archive-only': { type: 'boolean' },
    'no-pin': { type: 'boolean' },
    samples: { type: 'string' },
  },
  flags: {
    quick: 'a smoke test: few rounds and events; prints the table, leaves BENCHMARKS.md alone',
    rounds: 'measured rounds (default 56: four cycles of the 14 balanced orders)',
    profile:
      'instead: CPU profiles (node --cpu-prof) of a warm finish, ours, the floor and the peer, ' +
      'summarised by self time per package',
    'archive-only':
      "instead: only the archive's throughput and memory (documents of 1, 20 and 200 MiB, a " +
      'fresh process per run, its bundle made by esbuild); prints its table, leaves ' +
      'BENCHMARKS.md alone',
    'no-pin': 'leave CPU placement to the kernel instead of pinning with taskset',
    samples: 'also write every round of the warm phase, as measured, to FILE (JSON)',
  },
  examples: [
    'npm run bench',
    'npm run bench -- --quick',
    'npm run bench -- --profile',
    'npm run bench -- --archive-only',
  ],
  positionals: false,
} as const;

export interface BenchOptions {
  readonly quick: boolean;
  readonly profile: boolean;
  /** Only the archive's phase; BENCHMARKS.md left alone. */
  readonly archiveOnly: boolean;
  readonly pin: boolean;
  readonly coldRuns: number;
  readonly warm: Omit<WarmOptions, 'cpus' | 'execArgv'>;
  /** Whether the run rewrites BENCHMARKS.md. */
  readonly write: boolean;
  /** Where to write the warm phase's rounds, raw. */
  readonly samplesFile: string | undefined;
}

const FULL: BenchOptions['warm'] = {
  finishEvents: 50,
  batchSize: 10,
  callbackRequests: 10,
  publishRecords: 20,
  reconcilePackages: 10,
  rounds: 56,
  duplicateEvents: 50,
};

const QUICK: BenchOptions['warm'] = {
  ...FULL,
  finishEvents: 20,
  callbackRequests: 4,
  reconcilePackages: 4,
  rounds: 7,
  duplicateEvents: 10,
  steady: { window: 2, tolerance: 0.05, minRounds: 2, maxRounds: 4 },
};

export const parseBenchOptions = (args: readonly string[]): BenchOptions => {
  const { values } = parseCommand(COMMAND, args);
  const quick = values.quick === true;
  const base = quick ? QUICK : FULL;
  let rounds = base.rounds;
  if (values.rounds !== undefined) {
    const parsed = positiveIntegerOf(values.rounds);
    if (parsed === undefined || parsed < 2) {
      throw new UsageError(`--rounds takes a whole number of at least 2; ${usageLine(COMMAND)}`);
    }
    rounds = parsed;
  }
  if (values.profile === true && values['archive-only'] === true) {
    throw new UsageError(
      `--profile and --archive-only are two other runs: one at a time; ${usageLine(COMMAND)}`,
    );
  }
  return {
    quick,
    profile: values.profile === true,
    archiveOnly: values['archive-only'] === true,
    pin: values['no-pin'] !== true,
    coldRuns: quick ? 3 : 15,
    warm: { ...base, rounds },
    write: !quick && values['archive-only'] !== true,
    samplesFile: values.samples,
  };
};
