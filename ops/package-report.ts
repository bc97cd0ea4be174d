import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { OPEN_PACKAGES_INDEX } from '../lib/store/items.ts';
import {
  packageIdOfEvent,
  readPublishedEvents,
  simulatorRequest,
  tableClient,
} from './stack-client.ts';
import type { PublishedEvent, StackState } from './stack-state.ts';

/** Where the reports come from: the local stack (npm start), or a deployed stage's table. */
export interface ReportSource {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Completion events as npm start records them; a deployed stage keeps none to read. */
  readonly publishedEvents: () => Promise<PublishedEvent[]>;
  /** The simulator's control API, when it runs. */
  readonly simulator:
    | ((method: string, path: string) => Promise<{ status: number; body: unknown }>)
    | undefined;
  /**
   * Which packages a list shows: every package (a Scan, fine for the local table), or only the
   * open ones, from the open-packages index (a deployed table is not scanned).
   */
  readonly listing: 'all' | 'open';
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
  readonly package: PackageRecord | null;
  readonly finishes: readonly FinishReport[];
  readonly events: readonly PublishedEvent[];
  readonly simulator: SimulatorReport | null;
  /** The latest change among its items. */
  readonly updatedAt: string | null;
}

type Item = Record<string, AttributeValue>;

const text = (item: Item, name: string): string | null => item[name]?.S ?? null;
const count = (item: Item, name: string): number => Number(item[name]?.N ?? 0);

const lastErrorOf = (item: Item): FinishReport['lastError'] => {
  const map = item.lastError?.M;
  if (!map) return null;
  const status = map.httpStatus?.N;
  const message = map.message?.S ?? '';
  return status === undefined ? { message } : { httpStatus: Number(status), message };
};

const packageIdOf = (item: Item): number | undefined => {
  const match = /^PACKAGE#([0-9]+)$/.exec(item.pk?.S ?? '');
  return match ? Number(match[1]) : undefined;
};

const newest = (...times: (string | null)[]): string | null =>
  times.reduce<string | null>(
    (latest, time) => (time && (!latest || time > latest) ? time : latest),
    null,
  );

const queryPackage = async (source: ReportSource, packageId: number): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await source.client.send(
      new QueryCommand({
        TableName: source.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `PACKAGE#${packageId}` } },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const scanPackages = async (source: ReportSource): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await source.client.send(
      new ScanCommand({
        TableName: source.tableName,
        FilterExpression: 'begins_with(pk, :package)',
        ExpressionAttributeValues: { ':package': { S: 'PACKAGE#' } },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

/** The open packages, most recently changed first, from the index (keys only: cheap to read). */
const openPackageIds = async (source: ReportSource): Promise<number[]> => {
  const ids: number[] = [];
  let startKey: Item | undefined;
  do {
    const page = await source.client.send(
      new QueryCommand({
        TableName: source.tableName,
        IndexName: OPEN_PACKAGES_INDEX,
        KeyConditionExpression: 'openStatus = :inProgress',
        ExpressionAttributeValues: { ':inProgress': { S: 'IN_PROGRESS' } },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const packageId = packageIdOf(item);
      if (packageId !== undefined && !ids.includes(packageId)) ids.push(packageId);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
};

/** The items of the packages a report shows, and how many packages there are in all. */
const readItems = async (
  source: ReportSource,
  options: { readonly packageId?: number; readonly limit: number },
): Promise<{ items: Item[]; total: number | undefined }> => {
  if (options.packageId !== undefined) {
    return { items: await queryPackage(source, options.packageId), total: undefined };
  }
  if (source.listing === 'all') return { items: await scanPackages(source), total: undefined };
  const ids = await openPackageIds(source);
  const items: Item[] = [];
  for (const packageId of ids.slice(0, options.limit)) {
    items.push(...(await queryPackage(source, packageId)));
  }
  return { items, total: ids.length };
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
  simulator: NonNullable<ReportSource['simulator']>,
  packageId: number,
  calls: SimulatorCalls,
): Promise<SimulatorReport | null> => {
  const { status, body } = await simulator('GET', `/_simulator/packages/${packageId}`);
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

/** The local stack's table, completion events and simulator, as npm start left word of them. */
const localSource = (state: StackState, client: DynamoDBClient): ReportSource => ({
  client,
  tableName: state.tableName,
  publishedEvents: () => readPublishedEvents(state),
  simulator: state.simulatorUrl
    ? (method, path) => simulatorRequest(state, method, path)
    : undefined,
  listing: 'all',
});

/**
 * Packages newest first (or the one asked for), with their finish items, completion events and
 * what the simulator knows; `total` counts every package the listing covers, before `limit`.
 */
export const loadReports = async (
  source: ReportSource,
  options: { readonly packageId?: number; readonly limit: number },
): Promise<{ reports: PackageReport[]; total: number }> => {
  const { items, total: listed } = await readItems(source, options);
  const events = await source.publishedEvents();
  const byPackage = new Map<number, { package: PackageRecord | null; finishes: FinishReport[] }>();
  for (const item of items) {
    const packageId = packageIdOf(item);
    if (packageId === undefined) continue;
    const entry = byPackage.get(packageId) ?? { package: null, finishes: [] };
    byPackage.set(packageId, entry);
    const sortKey = item.sk?.S ?? '';
    if (sortKey === 'PACKAGE') {
      entry.package = {
        status: text(item, 'status') ?? 'IN_PROGRESS',
        workflowStatus: text(item, 'workflowStatus'),
        callbacks: count(item, 'callbacks'),
        lastCallbackAt: text(item, 'lastCallbackAt'),
        completedAt: text(item, 'completedAt'),
        updatedAt: text(item, 'updatedAt'),
      };
    } else if (sortKey.startsWith('FINISH#')) {
      const signer = sortKey.slice('FINISH#'.length);
      entry.finishes.push({
        signer: signer === '-' ? null : signer,
        status: text(item, 'status') ?? 'UNKNOWN',
        attempts: count(item, 'attempts'),
        lastError: lastErrorOf(item),
        createdAt: text(item, 'createdAt'),
        updatedAt: text(item, 'updatedAt'),
        finishedAt: text(item, 'finishedAt'),
      });
    }
  }
  const reports = [...byPackage.entries()]
    .map(([packageId, entry]) => ({
      packageId,
      ...entry,
      finishes: entry.finishes.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')),
      events: events.filter((event) => packageIdOfEvent(event) === packageId),
      updatedAt: newest(
        entry.package?.updatedAt ?? null,
        ...entry.finishes.map((finish) => finish.updatedAt),
      ),
    }))
    .sort(
      (a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || b.packageId - a.packageId,
    );
  const shown = reports.slice(0, options.limit);
  const { simulator } = source;
  const calls = simulator
    ? ((await simulator('GET', '/_simulator/calls')).body as SimulatorCalls)
    : {};
  const withSimulator: PackageReport[] = [];
  for (const report of shown) {
    withSimulator.push({
      ...report,
      simulator: simulator ? await simulatorReport(simulator, report.packageId, calls) : null,
    });
  }
  return { reports: withSimulator, total: listed ?? reports.length };
};

/** The reports of the local stack (npm start). */
export const loadPackageReports = async (
  state: StackState,
  options: { readonly packageId?: number; readonly limit: number },
): Promise<{ reports: PackageReport[]; total: number }> => {
  const client = tableClient(state);
  try {
    return await loadReports(localSource(state, client), options);
  } finally {
    client.destroy();
  }
};
