import type {
  ArchivedDocument,
  ArchiveStatus,
  FinishItem,
  PackageItem,
} from '../lib/store/items.ts';
import type { ArchiveRecord, PackageReader, PackageRecords } from '../lib/store/package-reader.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { onLocalStack } from './local-target.ts';
import { enterpriseQuery, packageRefOfEvent } from './stack-client.ts';
import type { PublishedEvent, StackState } from './stack-state.ts';

/** A request to the simulator's control API: its status and JSON body. */
export type SimulatorCall = (
  method: string,
  path: string,
) => Promise<{ readonly status: number; readonly body: unknown }>;

/** What status reads: the table, and what the target keeps besides it. */
export interface ReportSource {
  readonly reader: PackageReader;
  /**
   * Which packages a list shows: every package (a Scan, fine for the local table), or only the
   * open ones, from the open-packages index (a deployed table is not scanned).
   */
  readonly listing: 'all' | 'open';
  /** The completion events sent, where they are recorded (the local stack); a stage keeps none. */
  readonly completionEvents: (() => Promise<PublishedEvent[]>) | undefined;
  /** The simulator's control API, when it runs. */
  readonly simulator: SimulatorCall | undefined;
}

export interface FinishReport {
  readonly signer: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly lastError: { readonly httpStatus?: number; readonly message: string } | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly finishedAt: string | null;
}

export interface PackageRecord {
  readonly status: string;
  readonly workflowStatus: string | null;
  readonly callbacks: number;
  readonly lastCallbackAt: string | null;
  readonly completedAt: string | null;
  readonly updatedAt: string | null;
}

/** What the package item says of the package's archive (the archive function writes it). */
export interface ArchiveReport {
  /** ARCHIVED or FAILED; null until the archive has ended either way. */
  readonly archiveStatus: ArchiveStatus | null;
  readonly archivedAt: string | null;
  /** How many documents are stored, and their bytes together. */
  readonly documentCount: number;
  readonly totalBytes: number;
  /** Each document stored so far (all of them once ARCHIVED), in the order they were stored. */
  readonly documents: readonly ArchivedDocument[];
  /** Why it is FAILED. */
  readonly archiveError: { readonly httpStatus?: number; readonly message: string } | null;
}

export interface SimulatorReport {
  readonly workflowStatus: string;
  readonly signers: readonly { readonly email: string; readonly processStatus: string }[];
  /** The callbacks the simulator made for the package (the URL is left out: it holds the secret). */
  readonly callbacks: readonly {
    readonly mode: string;
    readonly status: number | null;
    readonly error: string | null;
  }[];
}

/** One package as the table, the completion events and (when it runs) the simulator see it. */
export interface PackageReport {
  readonly packageId: number;
  /** Whose package it is: `default` for the deployment's own enterprise. */
  readonly tenant: string;
  readonly package: PackageRecord | null;
  readonly finishes: readonly FinishReport[];
  readonly events: readonly PublishedEvent[];
  /**
   * Its archive, as its package item records it; null without a package item (status always
   * sets it: optional only for reports made by hand).
   */
  readonly archive?: ArchiveReport | null;
  readonly simulator: SimulatorReport | null;
  /** The latest change among its items. */
  readonly updatedAt: string | null;
}

/** An empty time (an item without one) as JSON's null. */
const timeOf = (time: string | undefined): string | null => time || null;

const packageRecordOf = (item: PackageItem): PackageRecord => ({
  status: item.status,
  workflowStatus: item.workflowStatus ?? null,
  callbacks: item.callbacks,
  lastCallbackAt: timeOf(item.lastCallbackAt),
  completedAt: timeOf(item.completedAt),
  updatedAt: timeOf(item.updatedAt),
});

const finishReportOf = (finish: FinishItem): FinishReport => ({
  signer: finish.signer ?? null,
  status: finish.status,
  attempts: finish.attempts,
  lastError: finish.lastError ?? null,
  createdAt: timeOf(finish.createdAt),
  updatedAt: timeOf(finish.updatedAt),
  finishedAt: timeOf(finish.finishedAt),
});

const archiveReportOf = (archive: ArchiveRecord): ArchiveReport => ({
  archiveStatus: archive.archiveStatus ?? null,
  archivedAt: timeOf(archive.archivedAt),
  documentCount: archive.documents.length,
  totalBytes: archive.documents.reduce((sum, document) => sum + document.bytes, 0),
  documents: archive.documents,
  archiveError: archive.archiveError ?? null,
});

const newest = (times: readonly (string | null)[]): string | null =>
  times.reduce<string | null>(
    (latest, time) => (time && (!latest || time > latest) ? time : latest),
    null,
  );

/** The report of a package the table has items of, without what the simulator says yet. */
const reportOf = (records: PackageRecords, events: readonly PublishedEvent[]): PackageReport => {
  const item = records.package ? packageRecordOf(records.package) : null;
  const finishes = records.finishes.map(finishReportOf);
  const { tenant, packageId } = records;
  return {
    packageId,
    tenant,
    package: item,
    finishes,
    events: events.filter((event) => {
      const ref = packageRefOfEvent(event);
      return ref?.packageId === packageId && ref.tenant === tenant;
    }),
    archive: records.archive ? archiveReportOf(records.archive) : null,
    simulator: null,
    updatedAt: newest([item?.updatedAt ?? null, ...finishes.map((finish) => finish.updatedAt)]),
  };
};

const hasItems = (records: PackageRecords): boolean =>
  records.package !== undefined || records.finishes.length > 0;

/** What a report shows: one tenant's package (the default tenant's when no tenant is named), or the list. */
export interface ReportOptions {
  readonly packageId?: number | undefined;
  readonly tenant?: string | undefined;
  readonly limit: number;
}

/** The packages a report shows (before `limit`, but for the open ones), and how many in all. */
const readRecords = async (
  source: ReportSource,
  options: ReportOptions,
): Promise<{ records: PackageRecords[]; total: number | undefined }> => {
  if (options.packageId !== undefined) {
    const tenant = options.tenant ?? DEFAULT_TENANT;
    const records = await source.reader.readPackage(options.packageId, tenant);
    return { records: hasItems(records) ? [records] : [], total: undefined };
  }
  if (source.listing === 'all')
    return { records: await source.reader.allPackages(), total: undefined };
  const refs = await source.reader.openPackages();
  const records: PackageRecords[] = [];
  for (const { packageId, tenant } of refs.slice(0, options.limit)) {
    records.push(await source.reader.readPackage(packageId, tenant));
  }
  return { records, total: refs.length };
};

interface SimulatorCalls {
  readonly callbacksSent?: readonly {
    packageId: number;
    mode: string;
    status?: number;
    error?: string;
  }[];
}

interface SimulatedPackage {
  readonly workflowStatus: string;
  readonly signers: readonly { readonly email: string; readonly processStatus: string }[];
}

const simulatorReport = async (
  simulator: SimulatorCall,
  { packageId, tenant }: PackageReport,
  calls: SimulatorCalls,
): Promise<SimulatorReport | null> => {
  const { status, body } = await simulator(
    'GET',
    `/_simulator/packages/${packageId}${enterpriseQuery(tenant)}`,
  );
  if (status !== 200) return null;
  const simulated = body as SimulatedPackage;
  return {
    workflowStatus: simulated.workflowStatus,
    signers: simulated.signers.map(({ email, processStatus }) => ({ email, processStatus })),
    callbacks: (calls.callbacksSent ?? [])
      .filter((sent) => sent.packageId === packageId)
      .map((sent) => ({ mode: sent.mode, status: sent.status ?? null, error: sent.error ?? null })),
  };
};

/**
 * Packages newest first (or the one asked for), with their finish items, completion events and
 * what the simulator knows; `total` counts every package the listing covers, before `limit`.
 */
export const loadReports = async (
  source: ReportSource,
  options: ReportOptions,
): Promise<{ reports: PackageReport[]; total: number }> => {
  const { records, total } = await readRecords(source, options);
  const events = source.completionEvents ? await source.completionEvents() : [];
  const reports = records
    .map((entry) => reportOf(entry, events))
    .sort(
      (a, b) =>
        (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') ||
        b.packageId - a.packageId ||
        a.tenant.localeCompare(b.tenant),
    );
  const shown = reports.slice(0, options.limit);
  const { simulator } = source;
  if (!simulator) return { reports: shown, total: total ?? reports.length };
  // Each enterprise's calls, asked once for all its packages shown.
  const calls = new Map<string, SimulatorCalls>();
  const callsOf = async (tenant: string): Promise<SimulatorCalls> => {
    const known = calls.get(tenant);
    if (known) return known;
    const { status, body } = await simulator('GET', `/_simulator/calls${enterpriseQuery(tenant)}`);
    const answered = status === 200 ? (body as SimulatorCalls) : {};
    calls.set(tenant, answered);
    return answered;
  };
  const withSimulator: PackageReport[] = [];
  for (const report of shown) {
    withSimulator.push({
      ...report,
      simulator: await simulatorReport(simulator, report, await callsOf(report.tenant)),
    });
  }
  return { reports: withSimulator, total: total ?? reports.length };
};

/** The reports of the local stack (npm start). */
export const loadPackageReports = (
  state: StackState,
  options: ReportOptions,
): Promise<{ reports: PackageReport[]; total: number }> =>
  onLocalStack(state, (local) => loadReports(local.reports, options));
