import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSoakReport } from './report.ts';
import { runSoak, type SoakResult } from './soak.ts';
import { DEFAULT_SOAK_OPTIONS, type SoakOptions } from './soak-options.ts';

const USAGE = `npm run soak -- [options]

  --events N                 signing events to send (default ${DEFAULT_SOAK_OPTIONS.events})
  --packages N               packages (default: events / 5)
  --seed N                   the workload and chaos seed (default ${DEFAULT_SOAK_OPTIONS.seed})
  --instances N              finish function instances (default ${DEFAULT_SOAK_OPTIONS.instances})
  --lambda-timeout-ms N      each finish invocation's clock (default ${DEFAULT_SOAK_OPTIONS.lambdaTimeoutMs})
  --visibility-timeout-ms N  the queue's visibility timeout (default ${DEFAULT_SOAK_OPTIONS.visibilityTimeoutMs})
  --signinghub-timeout-ms N  SIGNINGHUB_TIMEOUT_MS (default ${DEFAULT_SOAK_OPTIONS.signingHubTimeoutMs})
  --events-per-second N      arrivals on the queue (default ${DEFAULT_SOAK_OPTIONS.eventsPerSecond})
  --no-restart               keep DynamoDB Local up the whole run
  --no-outage                keep every tenant's host up (and run once)
  --no-baseline              skip the run with no outage that the healthy tenants' times are
                             compared with (it runs first, the same workload and seed)
  --show-logs                print the functions' log lines (they are scanned either way)
  --log-file PATH            keep every log line of the run in this file (the baseline's
                             goes to PATH.baseline)
  --result-file PATH         also write the run's result there, as JSON
  --help
`;

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    packages: { type: 'string' },
    seed: { type: 'string' },
    instances: { type: 'string' },
    'lambda-timeout-ms': { type: 'string' },
    'visibility-timeout-ms': { type: 'string' },
    'signinghub-timeout-ms': { type: 'string' },
    'events-per-second': { type: 'string' },
    'no-restart': { type: 'boolean', default: false },
    'no-outage': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'show-logs': { type: 'boolean', default: false },
    'log-file': { type: 'string' },
    'result-file': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const positive = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive integer, got "${raw}"\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
};

const defaults = DEFAULT_SOAK_OPTIONS;
const options: SoakOptions = {
  ...defaults,
  events: positive('events', values.events, defaults.events),
  packages: values.packages === undefined ? undefined : positive('packages', values.packages, 1),
  seed: positive('seed', values.seed, defaults.seed),
  instances: positive('instances', values.instances, defaults.instances),
  lambdaTimeoutMs: positive(
    'lambda-timeout-ms',
    values['lambda-timeout-ms'],
    defaults.lambdaTimeoutMs,
  ),
  visibilityTimeoutMs: positive(
    'visibility-timeout-ms',
    values['visibility-timeout-ms'],
    defaults.visibilityTimeoutMs,
  ),
  signingHubTimeoutMs: positive(
    'signinghub-timeout-ms',
    values['signinghub-timeout-ms'],
    defaults.signingHubTimeoutMs,
  ),
  eventsPerSecond: positive(
    'events-per-second',
    values['events-per-second'],
    defaults.eventsPerSecond ?? 30,
  ),
  restartDynamoDbAt: values['no-restart'] ? undefined : defaults.restartDynamoDbAt,
  tenantOutage: values['no-outage'] ? undefined : defaults.tenantOutage,
  showLogs: values['show-logs'],
  logFile: values['log-file'],
  showProgress: true,
};

/**
 * The same run with every host up, first and in a process of its own: the functions' modules keep
 * clients (Secrets Manager's, SQS's, TLS agents) at module scope, bound to the first run's
 * endpoints, as a warm Lambda environment keeps them; a second run in the same process would
 * reach the first run's stopped services.
 */
const baselineRun = async (): Promise<SoakResult> => {
  const dir = await mkdtemp(join(tmpdir(), 'soak-baseline-'));
  const file = join(dir, 'result.json');
  try {
    const logFile = values['log-file'];
    const given = Object.entries(values).flatMap(([name, value]) =>
      name === 'log-file' || value === false || value === undefined
        ? []
        : value === true
          ? [`--${name}`]
          : [`--${name}`, String(value)],
    );
    const args = [
      fileURLToPath(import.meta.url),
      ...given,
      ...(logFile === undefined ? [] : ['--log-file', `${logFile}.baseline`]),
      '--no-outage',
      '--result-file',
      file,
    ];
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0 && code !== 1) throw new Error(`the baseline run ended with ${code}`);
    return JSON.parse(await readFile(file, 'utf8')) as SoakResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const withBaseline = options.tenantOutage !== undefined && !values['no-baseline'];
let baseline: SoakResult | undefined;
if (withBaseline) {
  process.stderr.write('soak: the baseline run, every tenant up\n');
  process.stdout.write('## The baseline run (no outage)\n\n');
  baseline = await baselineRun();
  process.stderr.write(`soak: the run with ${options.tenantOutage?.tenant}'s host down\n`);
}
const result = await runSoak(options);
const resultFile = values['result-file'];
if (resultFile !== undefined) await writeFile(resultFile, JSON.stringify(result));
process.stdout.write(
  `${withBaseline ? '\n## The run with a tenant down\n\n' : ''}${formatSoakReport(result, baseline)}`,
);
process.exitCode = result.ok && (baseline?.ok ?? true) ? 0 : 1;
