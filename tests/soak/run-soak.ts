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
  --log-file PATH            keep every log line of the run in this file
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

// The same run with every host up first: the healthy tenants' times are judged beside it.
const withBaseline = options.tenantOutage !== undefined && !values['no-baseline'];
let baseline: SoakResult | undefined;
if (withBaseline) {
  process.stderr.write('soak: the baseline run, every tenant up\n');
  baseline = await runSoak({ ...options, tenantOutage: undefined });
  process.stdout.write(`## The baseline run (no outage)\n\n${formatSoakReport(baseline)}\n`);
  process.stderr.write(`soak: the run with ${options.tenantOutage?.tenant}'s host down\n`);
}
const result = await runSoak(options);
process.stdout.write(
  `${withBaseline ? '## The run with a tenant down\n\n' : ''}${formatSoakReport(result, baseline)}`,
);
process.exitCode = result.ok && (baseline?.ok ?? true) ? 0 : 1;
