import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionEnvironment } from '../harness/function-env.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../harness/simulator/signinghub-simulator.ts';
import { bundleLikeFunctions, packageFunctions } from './artifacts.ts';
import { writeBenchmarksFile } from './benchmarks-file.ts';
import { measureColdStarts } from './cold-start.ts';
import { describeMachine } from './machine.ts';
import { peerUnavailable } from './peer/peer-availability.ts';
import { buildRows } from './report/rows.ts';
import { conditionsLine, targetsLine } from './report/summary.ts';
import { markdownTable, plainTable } from './report/tables.ts';
import { AWS_ENV, type BenchServices, benchFunctionEnv, startBenchServices } from './services.ts';
import { measureWarmCallback } from './warm-callback.ts';
import { FINISH_VARIANTS, measureWarmFinish } from './warm-finish.ts';

/** `npm run bench`: sizes, cold starts, warm cost and requests, beside the floor and the peer. */
const COLD_RUNS = 15;
const WARM_FINISH = {
  events: 2_000,
  batchSize: 10,
  rounds: 8,
  warmupEvents: 1_000,
  duplicateEvents: 200,
};
const WARM_CALLBACK = { requests: 500, warmupRequests: 50 };
const TIME_LIMIT_S = 180;

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

  step(`cold starts: ${COLD_RUNS} fresh processes per bundle`);
  const bundles = [...functions, floor, ...(peer ? [peer] : [])];
  const coldStarts = await measureColdStarts(
    [{ name: 'empty' }, ...bundles.map(({ name, bundlePath }) => ({ name, bundlePath }))],
    coldEnv,
    COLD_RUNS,
  );

  step(`warm finish: ${WARM_FINISH.events} events each for ours, the floor and the peer`);
  const warmFinish = await measureWarmFinish(
    services,
    WARM_FINISH,
    FINISH_VARIANTS.filter((variant) => variant !== 'peer' || !peerMissing),
  );

  step(`warm callback: ${WARM_CALLBACK.requests} requests`);
  const callback = await measureWarmCallback(services, WARM_CALLBACK);

  const { rows, verdicts } = buildRows({
    functions,
    floor,
    peer,
    peerMissing,
    coldStarts,
    coldRuns: COLD_RUNS,
    warmFinish,
    callback,
  });
  const seconds = (performance.now() - started) / 1000;
  const block = [
    conditionsLine(machine, loadAtStart, seconds, TIME_LIMIT_S),
    '',
    markdownTable(rows),
    '',
    targetsLine(verdicts, true),
  ].join('\n');
  writeBenchmarksFile(new URL('../BENCHMARKS.md', import.meta.url), block);
  console.log(plainTable(rows));
  console.log(
    `\n${targetsLine(verdicts, false)} Written to BENCHMARKS.md in ${seconds.toFixed(0)} s.`,
  );
} finally {
  step('stopping DynamoDB Local and the simulator');
  await cleanUp();
}
