import { ARCHIVE_REQUESTED_DETAIL_TYPE } from '../lib/archive/archive-request.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { packageArgs, packageName } from './operator-target.ts';
import type { ArchiveReport, PackageReport, ReportSource } from './package-report.ts';
import { textTable } from './text-table.ts';

/** Where the reports came from, for what the lines can and cannot say. */
export interface Seen {
  /** Completion events are recorded where the reports came from (the local stack). */
  readonly eventsRecorded: boolean;
  /** The list holds only open packages (a deployed table, read through its index). */
  readonly openOnly: boolean;
}

/** What a source's reports can say: its events if it records them, its listing. */
export const seenFrom = (source: ReportSource): Seen => ({
  eventsRecorded: source.completionEvents !== undefined,
  openOnly: source.listing === 'open',
});

/** An ISO-8601 time as `2026-11-28 07:40:12Z`, or `-`. */
const shortTime = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';

/** How many times each value comes, in the order each first comes. */
const tally = (values: readonly string[]): [string, number][] => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts];
};

const finishSummary = (report: PackageReport): string =>
  tally(report.finishes.map((finish) => finish.status))
    .map(([status, n]) => `${n} ${status}`)
    .join(', ') || '-';

/** Each detail type once, and how many were sent when more than one (republish sends another). */
const eventSummary = (report: PackageReport): string =>
  tally(report.events.map((event) => event.detailType))
    .map(([type, n]) => (n === 1 ? type : `${type} ×${n}`))
    .join(', ') || '-';

/** The republish command of a tenant's package (a tenant other than `default` must be named). */
const republishOf = ({ packageId, tenant }: PackageReport): string =>
  tenant === DEFAULT_TENANT
    ? 'npm run republish'
    : `npm run republish -- ${packageArgs(packageId, tenant)}`;

/** What a stage can say of a completion event: it keeps none to read back. */
const unrecordedEvent = (report: PackageReport): string =>
  report.package && report.package.status !== 'IN_PROGRESS'
    ? 'completion event: sent by the publish function when it became final (not recorded ' +
      `here; ${republishOf(report)} sends it again)`
    : 'completion event: none until the package is final';

/** What an event on the bus is to its package: its completion, its archive, or a request for one. */
const eventLabel = (detailType: string): string =>
  detailType === ARCHIVE_REQUESTED_DETAIL_TYPE
    ? 'archive request'
    : detailType.startsWith('SigningPackageArchive')
      ? 'archive event'
      : 'completion event';

/** `1 document`, `2 documents`. */
const counted = (count: number, noun: string): string =>
  `${count} ${noun}${count === 1 ? '' : 's'}`;

/** How many documents are stored, and their bytes together. */
const stored = (archive: ArchiveReport): string =>
  `${counted(archive.documentCount, 'document')}, ${counted(archive.totalBytes, 'byte')}`;

/**
 * The archive's lines: what the package item says of it, then each document stored (its key,
 * size and SHA-256). None for a package that is not COMPLETED and has nothing archived.
 */
const archiveLines = (report: PackageReport): string[] => {
  const { archive } = report;
  if (!archive) return [];
  const { archiveStatus, archiveError, documentCount } = archive;
  const again = `npm run archive -- ${packageArgs(report.packageId, report.tenant)}`;
  let summary: string;
  if (archiveStatus === 'ARCHIVED') {
    summary = `ARCHIVED at ${shortTime(archive.archivedAt)}, ${stored(archive)}`;
  } else if (archiveStatus === 'FAILED') {
    const error = archiveError
      ? `${archiveError.httpStatus ?? ''} ${archiveError.message}`.trim()
      : 'no error recorded';
    summary = `FAILED: ${error}; ${stored(archive)} stored before it (${again} tries again)`;
  } else if (documentCount > 0) {
    summary = `none yet, ${stored(archive)} stored so far`;
  } else if (report.package?.status === 'COMPLETED') {
    summary = `none yet (${again} requests it)`;
  } else {
    return [];
  }
  return [
    `archive: ${summary}`,
    ...archive.documents.map(
      (document) =>
        `archived document: ${document.key}, ${counted(document.bytes, 'byte')}, SHA-256 ${document.sha256}`,
    ),
  ];
};

export const listPackages = (
  reports: readonly PackageReport[],
  total: number,
  seen: Seen,
): string => {
  // Where events are not recorded, a column of them would only say "-". The events are the
  // package's completion event, its archive's and the operator's archive requests.
  const events = seen.eventsRecorded ? ['EVENTS'] : [];
  // Whose each package is, once a tenant other than the deployment's own has one listed.
  const tenants = reports.some((report) => report.tenant !== DEFAULT_TENANT);
  const table = textTable(
    [
      ...(tenants ? ['TENANT'] : []),
      'PACKAGE',
      'STATUS',
      'SIGNINGHUB',
      'CALLBACKS',
      'FINISHES',
      ...events,
      'UPDATED',
    ],
    reports.map((report) => [
      ...(tenants ? [report.tenant] : []),
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

export const describePackage = (report: PackageReport, seen: Seen): string => {
  const lines: string[] = [];
  const item = report.package;
  const name = packageName(report.packageId, report.tenant);
  lines.push(
    item
      ? `${name}: ${item.status}` +
          `${item.workflowStatus ? ` (SigningHub says ${item.workflowStatus})` : ''}, ` +
          `${item.callbacks} callback${item.callbacks === 1 ? '' : 's'}` +
          `${item.lastCallbackAt ? ` (last ${shortTime(item.lastCallbackAt)})` : ''}` +
          `${item.completedAt ? `, final since ${shortTime(item.completedAt)}` : ''}`
      : `${name}: no package item yet (made by the first successful finish or callback)`,
  );
  lines.push(
    !seen.eventsRecorded
      ? unrecordedEvent(report)
      : report.events.length > 0
        ? report.events
            .map(
              (event) =>
                `${eventLabel(event.detailType)}: ${event.detailType} at ${shortTime(event.at)} on bus ${event.busName}`,
            )
            .join('\n')
        : 'completion event: none yet',
  );
  lines.push(...archiveLines(report));
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
