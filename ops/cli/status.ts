import { parsePackageId } from '../../lib/package-id.ts';
import { parseCommand, UsageError, usageLine } from '../command-line.ts';
import { onStage } from '../on-stage.ts';
import { TARGET_FLAGS, TARGET_OPTIONS, TARGET_USAGE, targetOf } from '../operator-target.ts';
import { loadPackageReports, loadReports, type PackageReport } from '../package-report.ts';
import { runCommand } from '../run-command.ts';
import { requireRunningStack } from '../stack-state.ts';
import { textTable } from '../text-table.ts';
import { UserError } from '../user-error.ts';

const COMMAND = {
  name: 'status',
  synopsis: `[packageId] [--limit N] ${TARGET_USAGE}`,
  summary:
    'Shows the packages the table knows (a deployed stage: the open ones), or one package with ' +
    'its finishes, callbacks and completion event.',
  words: { '[packageId]': 'show this package in full instead of the list' },
  options: { ...TARGET_OPTIONS, limit: { type: 'string' } },
  flags: { ...TARGET_FLAGS, limit: 'list at most N packages, newest first (default 20)' },
  examples: [
    'npm run status',
    'npm run status -- 1001',
    'npm run status -- --stage prod --limit 50',
  ],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);

/** Where the reports came from, for what the lines can and cannot say. */
interface Seen {
  /** Completion events are recorded where the reports came from (the local stack). */
  readonly eventsRecorded: boolean;
  /** The list holds only open packages (a deployed table, read through its index). */
  readonly openOnly: boolean;
}

/** An ISO-8601 time as `2026-11-28 07:40:12Z`, or `-`. */
const shortTime = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';

const finishSummary = (report: PackageReport): string => {
  const counts = new Map<string, number>();
  for (const finish of report.finishes)
    counts.set(finish.status, (counts.get(finish.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || '-';
};

const eventSummary = (report: PackageReport): string =>
  report.events.map((event) => event.detailType).join(', ') || '-';

/** What a stage can say of a completion event: it keeps none to read back. */
const unrecordedEvent = (report: PackageReport): string =>
  report.package && report.package.status !== 'IN_PROGRESS'
    ? 'completion event: sent by the publish function when it became final (not recorded ' +
      'here; npm run republish sends it again)'
    : 'completion event: none until the package is final';

const listPackages = (reports: readonly PackageReport[], total: number, seen: Seen): string => {
  // Where completion events are not recorded, a column of them would only say "-".
  const events = seen.eventsRecorded ? ['COMPLETION EVENT'] : [];
  const table = textTable(
    ['PACKAGE', 'STATUS', 'SIGNINGHUB', 'CALLBACKS', 'FINISHES', ...events, 'UPDATED'],
    reports.map((report) => [
      String(report.packageId),
      report.package?.status ?? '-',
      report.package?.workflowStatus ?? '-',
      String(report.package?.callbacks ?? 0),
      finishSummary(report),
      ...(seen.eventsRecorded ? [eventSummary(report)] : []),
      shortTime(report.updatedAt),
    ]),
  );
  const more =
    total > reports.length
      ? `\n(the ${reports.length} newest of ${total} ${seen.openOnly ? 'open ' : ''}packages; --limit ${total} shows all)`
      : '';
  const open = seen.openOnly
    ? '\n(open packages only, from the open-packages index: give a package id to see a final one)'
    : '';
  return `${table}${more}${open}`;
};

const describePackage = (report: PackageReport, seen: Seen): string => {
  const lines: string[] = [];
  const item = report.package;
  lines.push(
    item
      ? `package ${report.packageId}: ${item.status}` +
          `${item.workflowStatus ? ` (SigningHub says ${item.workflowStatus})` : ''}, ` +
          `${item.callbacks} callback${item.callbacks === 1 ? '' : 's'}` +
          `${item.lastCallbackAt ? ` (last ${shortTime(item.lastCallbackAt)})` : ''}` +
          `${item.completedAt ? `, final since ${shortTime(item.completedAt)}` : ''}`
      : `package ${report.packageId}: no package item yet (made by the first successful finish or callback)`,
  );
  lines.push(
    !seen.eventsRecorded
      ? unrecordedEvent(report)
      : report.events.length > 0
        ? report.events
            .map(
              (event) =>
                `completion event: ${event.detailType} at ${shortTime(event.at)} on bus ${event.busName}`,
            )
            .join('\n')
        : 'completion event: none yet',
  );
  const simulated = report.simulator;
  if (simulated) {
    const signers =
      simulated.signers.map((signer) => `${signer.email} ${signer.processStatus}`).join(', ') ||
      'no signers';
    const callbacks =
      simulated.callbacks
        .map((sent) => `${sent.mode} → ${sent.status ?? sent.error ?? 'pending'}`)
        .join(', ') || 'none yet';
    lines.push(
      `simulator: workflow ${simulated.workflowStatus}; ${signers}; callback ${callbacks}`,
    );
  }
  lines.push('');
  lines.push(
    report.finishes.length > 0
      ? textTable(
          ['SIGNER', 'STATUS', 'ATTEMPTS', 'LAST ERROR', 'FINISHED'],
          report.finishes.map((finish) => [
            finish.signer ?? '(the account itself)',
            finish.status,
            String(finish.attempts),
            finish.lastError
              ? `${finish.lastError.httpStatus ?? ''} ${finish.lastError.message}`.trim()
              : '-',
            shortTime(finish.finishedAt),
          ]),
        )
      : 'no finish items yet',
  );
  return lines.join('\n');
};

const LOCAL: Seen = { eventsRecorded: true, openOnly: false };
const STAGE: Seen = { eventsRecorded: false, openOnly: true };

const main = async (): Promise<number> => {
  const { values, positionals } = parseCommand(COMMAND);
  const target = targetOf(values, USAGE);
  if (positionals.length > 1) {
    throw new UsageError(`one package id only, not "${positionals.join(' ')}"; ${USAGE}`);
  }
  const idText = positionals[0];
  const packageId = idText === undefined ? undefined : parsePackageId(idText);
  if (idText !== undefined && packageId === undefined) {
    throw new UserError(`"${idText}" is not a package id (a positive integer); ${USAGE}`);
  }
  const limit = values.limit === undefined ? 20 : parsePackageId(values.limit);
  if (limit === undefined) throw new UsageError(`--limit takes a positive integer; ${USAGE}`);
  const options = { ...(packageId === undefined ? {} : { packageId }), limit };

  if (target.kind === 'stage') {
    return onStage(target, process.env, async ({ stack, clients, where }) => {
      const { reports, total } = await loadReports(
        {
          client: clients.dynamoDb(),
          tableName: stack.tableName,
          publishedEvents: async () => [],
          simulator: undefined,
          listing: 'open',
        },
        options,
      );
      if (packageId !== undefined && reports.length === 0) {
        throw new UserError(
          `package ${packageId} has nothing in the table ${stack.tableName} (${where}): check ` +
            'the package id, and --stage',
        );
      }
      if (values.json) {
        const json = {
          stage: stack.stage,
          region: stack.region,
          stackName: stack.stackName,
          tableName: stack.tableName,
          packages: reports,
          total,
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return 0;
      }
      const first = reports[0];
      process.stdout.write(
        !first
          ? `no open packages in ${where}: give a package id to see a final one\n`
          : `${packageId === undefined ? listPackages(reports, total, STAGE) : describePackage(first, STAGE)}\n`,
      );
      return 0;
    });
  }

  const state = await requireRunningStack(process.env);
  const { reports, total } = await loadPackageReports(state, options);
  if (packageId !== undefined && reports.length === 0) {
    throw new UserError(
      `package ${packageId} has nothing in the table yet: send a signing event with ` +
        `npm run event -- ${packageId} <signerEmail>`,
    );
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ packages: reports, total }, null, 2)}\n`);
    return 0;
  }
  const first = reports[0];
  if (!first) {
    process.stdout.write(
      state.simulatorUrl
        ? 'no packages yet: create one with npm run simulator -- package 1001 --signers ' +
            'alice@example.com,bob@example.com, then npm run event -- 1001 alice@example.com\n'
        : 'no packages yet: send a signing event with npm run event -- <packageId> <signerEmail>\n',
    );
    return 0;
  }
  process.stdout.write(
    `${packageId === undefined ? listPackages(reports, total, LOCAL) : describePackage(first, LOCAL)}\n`,
  );
  return 0;
};

runCommand(main);
