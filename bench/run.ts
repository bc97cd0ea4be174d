import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionEnvironment } from '../harness/function-env.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../harness/simulator/signinghub-simulator.ts';
import { runMain } from '../ops/run-command.ts';
import { textTable } from '../ops/text-table.ts';
import { allowedCpus, type CpuPlan, pinToCpus, planCpus } from './affinity.ts';
import { measureArchive, runArchiveOnly } from './archive/archive-bench.ts';
import { bundleLikeFunctions, packageFunctions } from './artifacts.ts';
import { writeBenchmarksFile } from './benchmarks-file.ts';
import { measureColdStarts } from './cold-start.ts';
import { costFlows, streamUnits } from './cost/measure-cost.ts';
import { US_EAST_1 } from './cost/prices.ts';
import { stackSettings } from './cost/stack-settings.ts';
import type { OwnerUnits } from './cost/stream-units.ts';
import { describeMachine } from './machine.ts';
import { type BenchOptions, parseBenchOptions } from './options.ts';
import { peerUnavailable } from './peer/peer-availability.ts';
import { runProfiles } from './profile/profile-run.ts';
import { costAssumptions } from './report/cost-rows.ts';
import { buildTables } from './report/rows.ts';
import { conditionsLine, targetsLine } from './report/summary.ts';
import { markdownTable, plainTable } from './report/tables.ts';
import { AWS_ENV, type BenchServices, benchFunctionEnv, startBenchServices } from './services.ts';
import type { Variant } from './warm/rounds.ts';
import { summarize } from './warm/summary.ts';
import { runWarmPhase } from './warm/warm-phase.ts';

/** `npm run bench`: sizes, cold starts, warm cost and requests, cost, budgets and the archive. */
const TIME_LIMIT_S = 300;
const ROOT = new URL('../', import.meta.url);

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `The bench needs Node 24 (Lambda's runtime), not ${process.version}: run it as \`npm run bench\`.`,
  );
  process.exit(1);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const step = (message: string) => console.error(`[bench ${elapsed()}] ${message}`);

/** Pins DynamoDB Local and this process to one half of the CPUs; the workers go to the other. */
const pinServices = async (
  services: BenchServices,
  options: BenchOptions,
): Promise<{ plan: CpuPlan | undefined; said: string }> => {
  const plan = options.pin ? planCpus(allowedCpus()) : undefined;
  if (!options.pin) return { plan, said: 'CPU placement left to the kernel (--no-pin).' };
  if (!plan || services.dynamoDbLocalPid === undefined) {
    return { plan: undefined, said: 'Not pinned: one CPU, or no /proc here.' };
  }
  const pinned =
    (await pinToCpus(services.dynamoDbLocalPid, plan.services)) &&
    (await pinToCpus(process.pid, plan.services));
  return pinned
    ? {
        plan,
        said:
          `Handlers pinned to CPU ${plan.handlers.join(',')}, DynamoDB Local and the bench's ` +
          `simulator and proxy to CPU ${plan.services.join(',')} (taskset).`,
      }
    : { plan: undefined, said: 'Not pinned: taskset refused.' };
};

const main = async (options: BenchOptions): Promise<number> => {
  if (options.profile) return runProfiles(options, step);
  if (options.archiveOnly) return runArchiveOnly(options, step);
  const machine = describeMachine();
  const loadAtStart = machine.load();
  const workDir = await mkdtemp(join(tmpdir(), 'signinghub-bench-'));
  let servicesStarting: Promise<BenchServices> | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      // Waits for services still starting, so a failure elsewhere cannot leave them behind.
      await servicesStarting?.then(
        (services) => services.stop(),
        () => undefined,
      );
      await rm(workDir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanUp().finally(() => process.exit(130));
    });
  }
  // What importing a bundled handler needs: config is validated at load, none of it is used.
  const coldEnv = {
    ...AWS_ENV,
    ...functionEnvironment({
      tableName: 'bench-cold',
      signingHubUrl: 'http://127.0.0.1:9',
      credentials: DEFAULT_SIMULATOR_CREDENTIALS,
      callbackSecret: `bench-${randomUUID()}`,
      archiveBucket: 'bench-cold-archive',
    }),
    IDEMPOTENCY_TABLE_NAME: 'bench-cold-idempotency',
    ...benchFunctionEnv(''),
  };
  try {
    const peerMissing = await peerUnavailable();
    if (peerMissing) step(`the peer cannot run here, so it is left out: ${peerMissing}`);
    step('packaging the functions, bundling the floor and the peer, starting DynamoDB Local');
    servicesStarting = startBenchServices();
    const [functions, floor, peer, services] = await Promise.all([
      packageFunctions(workDir, { ...process.env, ...AWS_ENV }),
      bundleLikeFunctions('floor', new URL('./floor/floor-finish.ts', import.meta.url), workDir),
      peerMissing
        ? undefined
        : bundleLikeFunctions('peer', new URL('./peer/peer-finish.ts', import.meta.url), workDir),
      servicesStarting,
    ]);

    step(`cold starts: ${options.coldRuns} fresh processes per bundle`);
    const bundles = [...functions, floor, ...(peer ? [peer] : [])];
    const coldStarts = await measureColdStarts(
      [{ name: 'empty' }, ...bundles.map(({ name, bundlePath }) => ({ name, bundlePath }))],
      coldEnv,
      options.coldRuns,
    );

    const { plan, said } = await pinServices(services, options);
    step(`warm: ${options.warm.rounds} interleaved rounds. ${said}`);
    const variants: Variant[] = ['ours', 'floor', 'floor-twin', 'callback', 'publish', 'reconcile'];
    if (!peerMissing) variants.splice(2, 0, 'peer');
    let units: Map<string, OwnerUnits> = new Map();
    const warmRun = await runWarmPhase(
      services,
      variants,
      {
        ...options.warm,
        cpus: plan,
        afterMeasured: async (ids) => {
          step('reading the table stream for the write units');
          units = await streamUnits(services, ids);
        },
      },
      step,
    );
    if (options.samplesFile) {
      await writeFile(options.samplesFile, JSON.stringify(warmRun.samples, null, 1));
    }
    const archive = await measureArchive(
      services,
      functions.find(({ name }) => name === 'archive'),
      { bundleSource: "from `serverless package`'s zip", cpus: plan, quick: options.quick },
      step,
    );
    const warm = new Map(variants.map((variant) => [variant, summarize(warmRun.samples, variant)]));
    const settings = stackSettings(new URL('serverless.yml', ROOT));
    const cost = await costFlows(services, warm, units, warmRun.peerTable, settings);
    const tables = buildTables({
      functions,
      floor,
      peer,
      peerMissing,
      coldStarts,
      coldRuns: options.coldRuns,
      warm,
      eventBridgePuts: services.eventBridge.events.length,
      cost,
      prices: US_EAST_1,
    });
    const finishMemory = settings.get('finish');
    const memory = finishMemory
      ? `${finishMemory.memoryMb} MB (${finishMemory.architecture})`
      : 'its memory size';
    const seconds = (performance.now() - started) / 1000;
    const warmUpEvents = warmRun.samples
      .filter(({ variant, kind }) => variant === 'floor' && kind === 'warm-up')
      .reduce((all, { report }) => all + report.events, 0);
    const warmUp =
      `Warm-up: ${warmRun.warmUpRounds} rounds (${warmUpEvents} events per finish variant), ` +
      (warmRun.steady
        ? 'until every finish variant’s CPU per event stopped falling.'
        : '**stopped at its limit before the CPU per event levelled off**.');
    const block = [
      `${conditionsLine(machine, loadAtStart, seconds, TIME_LIMIT_S, said)} ${warmUp}`,
      '',
      markdownTable(tables.rows),
      '',
      ...(tables.cost
        ? [
            textTable(tables.cost.header, tables.cost.rows, 'markdown'),
            '',
            costAssumptions(memory),
            '',
          ]
        : []),
      textTable(tables.budgets.header, tables.budgets.rows, 'markdown'),
      '',
      targetsLine(tables.verdicts, true),
      '',
      archive.markdown,
    ].join('\n');
    if (options.write) writeBenchmarksFile(new URL('BENCHMARKS.md', ROOT), block);
    console.log(plainTable(tables.rows));
    if (tables.cost)
      console.log(
        `\n${textTable(
          tables.cost.header,
          tables.cost.rows.map((row) => row.map((cell) => cell.replaceAll('**', ''))),
        )}`,
      );
    console.log(
      `\n${textTable(
        tables.budgets.header,
        tables.budgets.rows.map((row) =>
          row.map((cell) => cell.replaceAll('**', '').replaceAll('`', '')),
        ),
      )}`,
    );
    console.log(`\n${archive.plain}`);
    console.log(
      `\n${targetsLine(tables.verdicts, false)} ${options.write ? 'Written to BENCHMARKS.md' : 'Not written (--quick)'} in ${seconds.toFixed(0)} s.`,
    );
    return 0;
  } finally {
    step('stopping DynamoDB Local and the simulator');
    await cleanUp();
  }
};

// `--help` and a command line that does not parse end here (exit 0 and 2); the bench's own
// failures go on with their stack.
let parsed: BenchOptions | undefined;
const code = await runMain(async () => {
  parsed = parseBenchOptions(process.argv.slice(2));
  return 0;
});
// Exits when done: a service's stop may leave a grace timer behind that would hold the process.
process.exit(parsed ? await main(parsed) : code);
