import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { FinishItem, PackageItem } from '../../lib/store/items.ts';
import type { PackageRef } from '../../lib/store/keys.ts';
import type { PackageReader, PackageRecords } from '../../lib/store/package-reader.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import { runMain, type Streams } from '../../ops/run-command.ts';
import type { OperatorTarget, TargetOpener } from '../../ops/target.ts';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command's main run in this process as runCommand runs it: its exit code and its output. */
export const run = async (
  main: (streams: Streams) => Promise<number | undefined>,
): Promise<Ran> => {
  let stdout = '';
  let stderr = '';
  const streams: Streams = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runMain(() => main(streams), streams);
  return { code, stdout, stderr };
};

/** The lines a command printed, once it succeeded with nothing on stderr. */
export const linesOf = (ran: Ran): string[] => {
  expect(ran.stderr).toBe('');
  expect(ran.code).toBe(0);
  return ran.stdout.split('\n');
};

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run <script> -- <args>` as the user types it, in a process of its own with `env`. */
export const npmRun = (env: NodeJS.ProcessEnv, script: string, ...args: string[]) =>
  new Promise<Ran>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args],
      { cwd: REPO, env, timeout: 150_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** For a command line that must be refused before any target is opened. */
export const NEVER_OPENED: TargetOpener = async () => {
  throw new Error('the command opened its target');
};

/** An opener onto one target, whatever the command line named; it records what was asked. */
export const openerOf = (target: OperatorTarget) => {
  const asked: Parameters<TargetOpener>[0][] = [];
  const opener: TargetOpener = async (named, work) => {
    asked.push(named);
    return work(target);
  };
  return { opener, asked };
};

const unused = (what: string) => () => {
  throw new Error(`the test's target has no ${what}`);
};

/** An open package of the default tenant by its id, or of any tenant by its ref. */
type OpenPackage = number | PackageRef;

const refOf = (open: OpenPackage): PackageRef =>
  typeof open === 'number' ? { tenant: DEFAULT_TENANT, packageId: open } : open;

/** A reader of packages held in memory: `open` lists the open ones, newest first. */
export const readerOf = (
  all: readonly PackageRecords[],
  open: readonly OpenPackage[] = [],
): PackageReader & { readonly read: PackageRef[] } => {
  const read: PackageRef[] = [];
  return {
    read,
    readPackage: async (packageId, tenant) => {
      read.push({ tenant, packageId });
      return (
        all.find((records) => records.packageId === packageId && records.tenant === tenant) ?? {
          tenant,
          packageId,
          package: undefined,
          finishes: [],
        }
      );
    },
    openPackages: async () => open.map(refOf),
    allPackages: async () => [...all],
  };
};

/** A target as a deployed stage would resolve (open packages only, no events), but in memory. */
export const fakeTarget = (overrides: Partial<OperatorTarget> = {}): OperatorTarget => ({
  where: 'stage test in eu-west-1',
  about: {
    stage: 'test',
    region: 'eu-west-1',
    stackName: 'signinghub-finish-test',
    tableName: 'signinghub-finish-test',
  },
  packages: unused('packages'),
  table: { get: unused('table') } as Pick<DynamoDbTable, 'get'>,
  reports: {
    reader: readerOf([]),
    listing: 'open',
    completionEvents: undefined,
    simulator: undefined,
  },
  hints: {
    unknownPackage: (packageId, tenant) => `nothing of ${tenant}/${packageId} here`,
    noPackages: 'no packages here',
  },
  completionBus: unused('bus'),
  signingHub: unused('SigningHub'),
  queues: unused('queues'),
  archiveRequests: unused('archive requests'),
  scanUnarchived: unused('Scan'),
  ...overrides,
});

export const packageItem = (packageId: number, item: Partial<PackageItem> = {}): PackageItem => ({
  packageId,
  status: 'IN_PROGRESS',
  workflowStatus: undefined,
  callbacks: 0,
  lastCallbackAt: undefined,
  completedAt: undefined,
  updatedAt: '2026-11-28T07:00:00.000Z',
  ...item,
});

export const finishItem = (
  packageId: number,
  signer: string | undefined,
  item: Partial<FinishItem> = {},
): FinishItem => ({
  packageId,
  signer,
  status: 'SUCCEEDED',
  attempts: 1,
  lastError: undefined,
  createdAt: '2026-11-28T06:00:00.000Z',
  updatedAt: '2026-11-28T06:00:00.000Z',
  finishedAt: '2026-11-28T06:00:00.000Z',
  ...item,
});
