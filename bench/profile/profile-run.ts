import { mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { textTable } from '../../ops/text-table.ts';
import { allowedCpus, pinToCpus, planCpus } from '../affinity.ts';
import type { BenchOptions } from '../options.ts';
import { startBenchServices } from '../services.ts';
import type { Variant } from '../warm/rounds.ts';
import { runWarmPhase } from '../warm/warm-phase.ts';
import { byCategory, type CpuProfile, timeByModule, type Window } from './self-time.ts';

const PROFILED: readonly Variant[] = ['ours', 'floor', 'peer'];

type Totals = ReadonlyMap<Variant, ReadonlyMap<string, number>>;

/**
 * Time per event, ours beside the floor and the peer: by category with Node's and V8's frames
 * charged to the code that called them, and the largest modules by their own (self) time.
 */
export const profileTables = (
  charged: Totals,
  totals: Totals,
  events: ReadonlyMap<Variant, number>,
  topModules = 25,
): string => {
  const perEvent = (variant: Variant, micros: number | undefined) =>
    (micros ?? 0) / (events.get(variant) ?? 1);
  const shown = (value: number) => value.toFixed(0);
  const columns = (values: (variant: Variant) => number) => {
    const ours = values('ours');
    return [
      ...PROFILED.map((variant) => shown(values(variant))),
      shown(ours - values('floor')),
      shown(ours - values('peer')),
    ];
  };
  const header = (first: string) => [
    first,
    'ours µs/event',
    'floor',
    'peer',
    'ours − floor',
    'ours − peer',
  ];
  const categories = new Map(
    PROFILED.map((variant) => [variant, byCategory(charged.get(variant) ?? new Map())]),
  );
  const categoryNames = [...new Set([...categories.values()].flatMap((map) => [...map.keys()]))]
    .filter((name) => name !== 'idle')
    .sort(
      (a, b) =>
        perEvent('ours', categories.get('ours')?.get(b)) -
        perEvent('ours', categories.get('ours')?.get(a)),
    );
  const categoryRows = categoryNames.map((name) => [
    name,
    ...columns((variant) => perEvent(variant, categories.get(variant)?.get(name))),
  ]);
  const busy = (variant: Variant) =>
    [...(categories.get(variant) ?? new Map()).entries()]
      .filter(([name]) => name !== 'idle')
      .reduce((all, [, micros]) => all + micros, 0);
  categoryRows.push(['all but idle', ...columns((variant) => perEvent(variant, busy(variant)))]);
  const moduleNames = [
    ...new Set(PROFILED.flatMap((variant) => [...(totals.get(variant) ?? new Map()).keys()])),
  ]
    .filter((name) => name !== '(idle)')
    .sort(
      (a, b) =>
        perEvent('ours', totals.get('ours')?.get(b)) - perEvent('ours', totals.get('ours')?.get(a)),
    )
    .slice(0, topModules);
  const moduleRows = moduleNames.map((name) => [
    name,
    ...columns((variant) => perEvent(variant, totals.get(variant)?.get(name))),
  ]);
  return [
    textTable(
      header('CPU by category (Node and V8 frames charged to their caller)'),
      categoryRows,
      'markdown',
    ),
    '',
    textTable(
      header(`self time, the ${topModules} largest modules of ours`),
      moduleRows,
      'markdown',
    ),
  ].join('\n');
};

/**
 * `npm run bench -- --profile`: ours, the floor and the peer warm under `node --cpu-prof`, in
 * interleaved rounds as the bench measures them; self time counted in the measured rounds only.
 */
export const runProfiles = async (
  options: BenchOptions,
  step: (message: string) => void,
): Promise<number> => {
  const dir = join(tmpdir(), `signinghub-bench-profiles-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  step(`profiling ours, the floor and the peer; profiles go to ${dir}`);
  const services = await startBenchServices();
  try {
    const plan = options.pin ? planCpus(allowedCpus()) : undefined;
    if (plan && services.dynamoDbLocalPid !== undefined) {
      await pinToCpus(services.dynamoDbLocalPid, plan.services);
      await pinToCpus(process.pid, plan.services);
    }
    const run = await runWarmPhase(
      services,
      PROFILED,
      {
        ...options.warm,
        duplicateEvents: 0,
        cpus: plan,
        execArgv: (variant) => [
          '--cpu-prof',
          // A sample every 250 µs rather than 1 ms: categories of 20 µs per event get ~200 samples.
          '--cpu-prof-interval=250',
          `--cpu-prof-dir=${dir}`,
          `--cpu-prof-name=${variant}.cpuprofile`,
        ],
      },
      step,
    );
    const totals = new Map<Variant, Map<string, number>>();
    const charged = new Map<Variant, Map<string, number>>();
    const events = new Map<Variant, number>();
    for (const variant of PROFILED) {
      const measured = run.samples.filter((s) => s.variant === variant && s.kind === 'measured');
      const windows: Window[] = measured.flatMap((s) => s.windows);
      const profile = JSON.parse(
        await readFile(join(dir, `${variant}.cpuprofile`), 'utf8'),
      ) as CpuProfile;
      totals.set(variant, timeByModule(profile, windows));
      charged.set(variant, timeByModule(profile, windows, 'caller'));
      events.set(
        variant,
        measured.reduce((all, s) => all + s.report.events, 0),
      );
    }
    console.log(profileTables(charged, totals, events));
    console.log(
      `\nProfiles (open in Chrome DevTools or summarise again): ${(await readdir(dir)).map((f) => join(dir, f)).join(', ')}`,
    );
    return 0;
  } finally {
    await services.stop();
  }
};
