import { parsePackageId } from '../lib/package-id.ts';
import { parseCommand, UsageError, usageLine } from './command-line.ts';
import {
  TARGET_FLAGS,
  TARGET_OPTIONS,
  TARGET_USAGE,
  TENANT_FLAG,
  TENANT_OPTION,
  TENANT_USAGE,
  targetOf,
  tenantOption,
} from './operator-target.ts';
import { loadReports } from './package-report.ts';
import type { Streams } from './run-command.ts';
import { describePackage, listPackages, seenFrom } from './status-view.ts';
import type { TargetOpener } from './target.ts';
import { UserError } from './user-error.ts';

const COMMAND = {
  name: 'status',
  synopsis: `[packageId ${TENANT_USAGE}] [--limit N] ${TARGET_USAGE}`,
  summary:
    "Shows the packages the table knows, every tenant's (a deployed stage: the open ones), or " +
    'one package with its finishes, callbacks, events and archive (each document stored, its ' +
    'size and SHA-256).',
  words: { '[packageId]': 'show this package in full instead of the list' },
  options: { ...TENANT_OPTION, limit: { type: 'string' }, ...TARGET_OPTIONS },
  flags: {
    ...TENANT_FLAG,
    limit: 'list at most N packages, newest first (default 20)',
    ...TARGET_FLAGS,
  },
  examples: [
    'npm run status',
    'npm run status -- 1001',
    'npm run status -- 1001 --tenant acme',
    'npm run status -- --stage prod --limit 50',
  ],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);

/** `npm run status`: the packages, or one package, of the table where it acts. */
export const status = async (
  args: readonly string[],
  open: TargetOpener,
  { stdout }: Streams,
): Promise<number> => {
  const { values, positionals } = parseCommand(COMMAND, args);
  const target = targetOf(values, USAGE);
  if (positionals.length > 1) {
    throw new UsageError(`one package id only, not "${positionals.join(' ')}"; ${USAGE}`);
  }
  const idText = positionals[0];
  const packageId = idText === undefined ? undefined : parsePackageId(idText);
  if (idText !== undefined && packageId === undefined) {
    throw new UsageError(`"${idText}" is not a package id (a positive integer); ${USAGE}`);
  }
  // A list shows every tenant's packages: a tenant names one package, as `default` or left out.
  if (values.tenant !== undefined && packageId === undefined) {
    throw new UsageError(
      `--tenant goes with a package id: without one, status lists every tenant's packages; ${USAGE}`,
    );
  }
  const tenant = tenantOption(values.tenant, USAGE);
  const limit = values.limit === undefined ? 20 : parsePackageId(values.limit);
  if (limit === undefined) throw new UsageError(`--limit takes a positive integer; ${USAGE}`);

  return open(target, async (opened) => {
    const { reports, total } = await loadReports(opened.reports, { packageId, tenant, limit });
    if (packageId !== undefined && reports.length === 0) {
      throw new UserError(opened.hints.unknownPackage(packageId, tenant));
    }
    if (values.json) {
      stdout.write(`${JSON.stringify({ ...opened.about, packages: reports, total }, null, 2)}\n`);
      return 0;
    }
    const seen = seenFrom(opened.reports);
    const first = reports[0];
    stdout.write(
      `${
        !first
          ? opened.hints.noPackages
          : packageId === undefined
            ? listPackages(reports, total, seen)
            : describePackage(first, seen)
      }\n`,
    );
    return 0;
  });
};
