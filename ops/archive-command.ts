import { parsePackageId } from '../lib/package-id.ts';
import { archiveAll } from './archive-backfill.ts';
import { archiveOne } from './archive-one.ts';
import { keyOfCursor } from './archive-scan.ts';
import { parseCommand, positiveIntegerOf, UsageError, usageLine } from './command-line.ts';
import {
  TARGET_FLAGS,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
  TENANT_OPTION,
  TENANT_USAGE,
  targetOf,
  tenantOption,
} from './operator-target.ts';
import type { Streams } from './run-command.ts';
import type { TargetOpener } from './target.ts';

const COMMAND = {
  name: 'archive',
  synopsis:
    '{<packageId> [--force] | --all-completed [--max N] [--after <cursor>]} ' +
    `${TENANT_USAGE} ${TARGET_USAGE}`,
  summary:
    "Puts a COMPLETED package's archive request on the archive's queue (a deployed stage's " +
    'ArchiveQueue, or npm start), where the archive function copies its signed documents into ' +
    'the archive bucket; --all-completed requests every COMPLETED package not yet ARCHIVED.',
  words: { '<packageId>': 'the package to archive, a positive integer' },
  options: {
    force: { type: 'boolean' },
    'all-completed': { type: 'boolean' },
    max: { type: 'string' },
    after: { type: 'string' },
    ...TENANT_OPTION,
    ...TARGET_OPTIONS,
  },
  flags: {
    force: 'archive a package already ARCHIVED again (its documents are stored again)',
    'all-completed':
      'request every COMPLETED package not yet ARCHIVED (the backfill after enabling the ' +
      'archive), page by page',
    max: 'with --all-completed: request at most N packages in this run',
    after: 'with --all-completed: continue after the cursor an earlier run printed',
    tenant:
      "the package's tenant (default: the deployment's own, also named default); with " +
      "--all-completed, only this tenant's packages (default: every tenant's)",
    ...TARGET_FLAGS,
  },
  examples: [
    'npm run archive -- 1001',
    'npm run archive -- 1001 --tenant acme',
    'npm run archive -- 1001 --force --stage prod',
    'npm run archive -- --all-completed --stage prod --max 500',
    'npm run archive -- --all-completed --stage prod --after WyJQQUNLQUdFIzEwMDEiLCJQQUNLQUdFIl0',
  ],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);

/** The words that name the target again: ` --stage prod --region eu-west-1`, or nothing. */
export const targetArgs = (target: Target): string =>
  target.kind === 'stage'
    ? ` --stage ${target.stage}${target.region ? ` --region ${target.region}` : ''}`
    : '';

type Values = ReturnType<typeof parseCommand<typeof COMMAND.options>>['values'];

/** The package a command line names, with nothing of --all-completed's flags beside it. */
const onePackage = (values: Values, positionals: readonly string[]): number => {
  const [idText, ...rest] = positionals;
  if (idText === undefined) {
    throw new UsageError(
      `a package id is missing (or --all-completed for every COMPLETED package); ${USAGE}`,
    );
  }
  if (rest.length > 0) {
    throw new UsageError(`one package id only, not "${rest.join(' ')}"; ${USAGE}`);
  }
  const packageId = parsePackageId(idText);
  if (packageId === undefined) {
    throw new UsageError(`"${idText}" is not a package id (a positive integer); ${USAGE}`);
  }
  if (values.max !== undefined || values.after !== undefined) {
    throw new UsageError(`--max and --after go with --all-completed; ${USAGE}`);
  }
  return packageId;
};

/** --all-completed's flags, with no package id or --force beside them. */
const allCompleted = (values: Values, positionals: readonly string[]) => {
  if (positionals.length > 0) {
    throw new UsageError(
      `a package id or --all-completed, not both ("${positionals.join(' ')}"); ${USAGE}`,
    );
  }
  if (values.force) {
    throw new UsageError(
      `--force goes with a package id: --all-completed requests only packages not yet ARCHIVED; ${USAGE}`,
    );
  }
  const max = values.max === undefined ? undefined : positiveIntegerOf(values.max);
  if (values.max !== undefined && max === undefined) {
    throw new UsageError(`--max takes a positive integer; ${USAGE}`);
  }
  const after = values.after === undefined ? undefined : keyOfCursor(values.after);
  if (values.after !== undefined && after === undefined) {
    throw new UsageError(
      `--after "${values.after}" is not a cursor npm run archive printed; ${USAGE}`,
    );
  }
  return { max, after };
};

/** `npm run archive`: one package's archive request, or every COMPLETED package's not yet ARCHIVED. */
export const archiveCommand = async (
  args: readonly string[],
  open: TargetOpener,
  streams: Streams,
  scanPageSize = 1_000,
): Promise<number> => {
  const { values, positionals } = parseCommand(COMMAND, args);
  const target = targetOf(values, USAGE);
  const json = values.json === true;
  if (values['all-completed'] !== true) {
    const packageId = onePackage(values, positionals);
    const tenant = tenantOption(values.tenant, USAGE);
    const force = values.force === true;
    return open(target, (opened) =>
      archiveOne(
        opened,
        { packageId, tenant, force },
        { json, streams, again: targetArgs(target) },
      ),
    );
  }
  const { max, after } = allCompleted(values, positionals);
  // Left out, --tenant means every tenant's; `default` names the deployment's own.
  const tenant = values.tenant === undefined ? undefined : tenantOption(values.tenant, USAGE);
  return open(target, (opened) =>
    archiveAll(
      opened,
      { tenant, max, after, pageSize: scanPageSize },
      { json, streams, again: targetArgs(target) },
    ),
  );
};
