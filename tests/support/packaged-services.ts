import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { CfnTemplate } from './cloudformation.ts';

/** The KMS key of the archiveKms configuration. */
export const ARCHIVE_KMS_KEY_ARN =
  'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** The operator's bucket of the ownArchiveBucket configuration. */
export const OWN_ARCHIVE_BUCKET = 'acme-signed-records';

/** The configurations the README offers, each packaged once per test run. */
export const CONFIGURATIONS = {
  /** The default parameters. */
  default: { stage: 'test', params: [] },
  /** An upstream EventBridge bus routed into the queue. */
  upstream: { stage: 'upstream', params: ['upstreamEventBusName=signing-upstream'] },
  /** The alarms notify an existing SNS topic instead of one of the stack's own. */
  existingAlarmTopic: {
    stage: 'shared-topic',
    params: ['alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:operations-alarms'],
  },
  /** An address subscribed to the stack's alarm topic, and other monitoring settings changed. */
  alarmEmail: {
    stage: 'mail',
    params: [
      'alarmEmail=ops@example.com',
      'signingHubMaxConcurrency=12',
      'callbackUnauthorisedAlarmThreshold=25',
      'signingQueueAgeAlarmSeconds=1200',
    ],
  },
  /** The tenants' secrets under a prefix of the operator's choosing. */
  customTenants: {
    stage: 'vendor',
    params: ['tenantsSecretPrefix=acme-vendor/signinghub/customers/'],
  },
  /**
   * Tenants off: an empty prefix. osls's --param takes no empty value but trims the end of one,
   * so a single space is the empty prefix (in serverless.yml: `tenantsSecretPrefix: ''`).
   */
  noTenants: { stage: 'single', params: ['tenantsSecretPrefix= '] },
  /**
   * The default configuration with the archive turned off: no archive function, queues, rule or
   * bucket. Of the same stage, so that it can be deployed over the default one.
   */
  noArchive: { stage: 'test', params: ['archiveDocuments=false'] },
  /** The archive's bucket encrypted with a KMS key of the operator's (SSE-KMS). */
  archiveKms: {
    stage: 'archive-kms',
    params: [`archiveKmsKeyArn=${ARCHIVE_KMS_KEY_ARN}`],
  },
  /** The documents archived in a bucket of the operator's own, which the stack does not make. */
  ownArchiveBucket: { stage: 'own-bucket', params: [`archiveBucketName=${OWN_ARCHIVE_BUCKET}`] },
} as const satisfies Record<string, { stage: string; params: readonly string[] }>;

export type Configuration = keyof typeof CONFIGURATIONS;

/** What `serverless deploy` needs of a packaging, from serverless-state.json. */
export interface ServiceState {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  /** The S3 folder of this deployment's artifacts: the templates' `S3Key`s start with it. */
  readonly artifactDirectoryName: string;
}

export interface PackagedService {
  readonly configuration: Configuration;
  /** The `--package` folder: both templates, serverless-state.json and one zip per function. */
  readonly dir: string;
  /** The template of the stack (cloudformation-template-update-stack.json). */
  readonly template: CfnTemplate;
  readonly templatePath: string;
  /** The template the first deployment creates the stack with: the deployment bucket only. */
  readonly createTemplate: CfnTemplate;
  readonly createTemplatePath: string;
  readonly state: ServiceState;
  readonly stackName: string;
  zipPath(functionKey: string): string;
}

const run = promisify(execFile);

interface PackagingSettings {
  readonly stage: string;
  readonly params: readonly string[];
}

/** Whether process `pid` still runs (EPERM: it does, as another user's). */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * osls writes every packaging's templates into the service's own .serverless folder, moves them to
 * --package at the end and empties the folder when it starts: two packagings of one working tree
 * at once (two test runs) lose or swap each other's templates. So each holds a lock, a folder
 * named after the working tree, while it packages; a lock whose process died is taken over.
 */
const withServiceFolder = async <T>(work: () => Promise<T>): Promise<T> => {
  const tree = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 16);
  const lock = join(tmpdir(), `signinghub-serverless-folder-${tree}`);
  const take = () =>
    mkdir(lock).then(
      () => true,
      () => false,
    );
  const deadline = Date.now() + 600_000;
  while (!(await take())) {
    const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
    if (owner > 0 && !running(owner)) await rm(lock, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`${lock} was held for 10 minutes`);
    await delay(250);
  }
  try {
    await writeFile(join(lock, 'pid'), String(process.pid));
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
};

const packageInto = async (
  configuration: string,
  { stage, params }: PackagingSettings,
  dir: string,
): Promise<void> => {
  const args = [
    'node_modules/osls/bin/serverless.js',
    'package',
    '--stage',
    stage,
    '--package',
    dir,
    ...params.map((param) => `--param=${param}`),
  ];
  try {
    await withServiceFolder(() =>
      run(process.execPath, args, {
        cwd: process.cwd(),
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          // serverless-esbuild builds in a folder of the service and cleans it afterwards: one of
          // this packaging's own, not the .esbuild that another run or npm start may be using.
          SIGNINGHUB_ESBUILD_WORK_FOLDER: join('.esbuild', dir.replace(/[^A-Za-z0-9-]+/g, '_')),
        },
        timeout: 180_000,
      }),
    );
  } catch (error) {
    // osls prints its errors (a configuration error, say) on stdout.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `serverless package (${configuration}) failed:\n${`${stdout}\n${stderr}`.trim().slice(-3_000)}`,
      { cause: error },
    );
  }
};

/**
 * What `serverless package` says when it refuses settings, which it does before building anything
 * (so no other packaging's build is disturbed); an error when it packages them after all.
 */
export const packagingRefusal = async (settings: PackagingSettings): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'signinghub-refused-'));
  try {
    await packageInto('refused', settings, dir);
  } catch (error) {
    // All that osls printed, which the error's message may cut short.
    const output = (error instanceof Error ? error.cause : undefined) as
      | { stdout?: string; stderr?: string }
      | undefined;
    const { stdout = '', stderr = '' } = output ?? {};
    return `${stdout}\n${stderr}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  throw new Error(`serverless package accepted ${settings.params.join(' ')}`);
};

const readJson = async <T>(path: string): Promise<T> =>
  JSON.parse(await readFile(path, 'utf8')) as T;

const load = async (configuration: Configuration, dir: string): Promise<PackagedService> => {
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const createTemplatePath = join(dir, 'cloudformation-template-create-stack.json');
  const raw = await readJson<{
    service: { service: string; provider: { stage: string; region: string } };
    package: { artifactDirectoryName: string };
  }>(join(dir, 'serverless-state.json'));
  const state: ServiceState = {
    service: raw.service.service,
    stage: raw.service.provider.stage,
    region: raw.service.provider.region,
    artifactDirectoryName: raw.package.artifactDirectoryName,
  };
  const zipPath = (functionKey: string) => join(dir, `${functionKey}.zip`);
  return {
    configuration,
    dir,
    template: await readJson<CfnTemplate>(templatePath),
    templatePath,
    createTemplate: await readJson<CfnTemplate>(createTemplatePath),
    createTemplatePath,
    state,
    stackName: `${state.service}-${state.stage}`,
    zipPath,
  };
};

/**
 * The first caller of the run packages every configuration, one after the other (they share the
 * .esbuild folder); every other caller, in any worker, waits for its marker file.
 */
const packageAll = async (root: string): Promise<void> => {
  const done = join(root, 'done');
  const failed = join(root, 'failed');
  let first = true;
  await mkdir(join(root, 'lock')).catch(() => {
    first = false;
  });
  if (first) {
    try {
      for (const configuration of Object.keys(CONFIGURATIONS) as Configuration[]) {
        await packageInto(configuration, CONFIGURATIONS[configuration], join(root, configuration));
      }
      await writeFile(done, '');
    } catch (error) {
      await writeFile(failed, error instanceof Error ? error.message : String(error));
      throw error;
    }
    return;
  }
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (await stat(done).catch(() => undefined)) return;
    const failure = await readFile(failed, 'utf8').catch(() => undefined);
    if (failure !== undefined) throw new Error(`serverless package failed: ${failure}`);
    await delay(250);
  }
  throw new Error('serverless package did not finish within 5 minutes');
};

let packaged: Promise<string> | undefined;

/** `serverless package` of a configuration, run once per test run whichever file asks first. */
export const packagedService = async (configuration: Configuration): Promise<PackagedService> => {
  packaged ??= (async () => {
    // Without the global setup (a config of its own), this worker packages for itself.
    const root = inject('packageRoot') ?? (await mkdtemp(join(tmpdir(), 'signinghub-package-')));
    await packageAll(root);
    return root;
  })();
  return load(configuration, join(await packaged, configuration));
};
