import type { ArchiveRequest } from '../../lib/archive/archive-request.ts';
import type { Item } from '../../lib/store/attributes.ts';
import type { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { type PackageRef, packageKey } from '../../lib/store/keys.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import type { ScanPage, ScanPageRequest } from '../../ops/archive-scan.ts';
import type { ArchiveRequests, SendOutcome } from '../../ops/target.ts';

/**
 * ArchiveQueue in memory: every call's requests, and what was sent, in order. `refuse` answers a
 * request's refusal on a given attempt (1 for its first send), or undefined to take it.
 */
export const fakeDestination = (
  refuse: (request: ArchiveRequest, attempt: number) => SendOutcome | Error | undefined = () =>
    undefined,
) => {
  const calls: ArchiveRequest[][] = [];
  const sent: { request: ArchiveRequest; id: string }[] = [];
  const attempts = new Map<string, number>();
  const destination: ArchiveRequests = {
    destination: 'ArchiveQueue signinghub-finish-test-Archive',
    send: async (requests) => {
      calls.push([...requests]);
      const outcomes = requests.map((request): SendOutcome | Error => {
        const name = `${request.tenant}/${request.packageId}`;
        const attempt = (attempts.get(name) ?? 0) + 1;
        attempts.set(name, attempt);
        const refusal = refuse(request, attempt);
        if (refusal) return refusal;
        const id = `m-${sent.length + 1}`;
        sent.push({ request, id });
        return { ok: true, id };
      });
      const thrown = outcomes.find((outcome) => outcome instanceof Error);
      if (thrown) throw thrown;
      return outcomes as SendOutcome[];
    },
  };
  return { destination, calls, sent };
};

/** A package item as the table holds it, with what the archive records. */
export const packageRecord = (
  status: string,
  archive: {
    readonly archiveStatus?: string;
    readonly archivedAt?: string;
    readonly documents?: number;
    readonly error?: string;
  } = {},
): Item => ({
  status: { S: status },
  ...(archive.archiveStatus ? { archiveStatus: { S: archive.archiveStatus } } : {}),
  ...(archive.archivedAt ? { archivedAt: { S: archive.archivedAt } } : {}),
  ...(archive.documents === undefined
    ? {}
    : {
        documents: {
          L: Array.from({ length: archive.documents }, () => ({ M: {} })),
        },
      }),
  ...(archive.error ? { archiveError: { M: { message: { S: archive.error } } } } : {}),
});

/** A table holding these package items; it records every key it was asked for. */
export const fakeTable = (items: Readonly<Record<string, Item>>) => {
  const asked: string[] = [];
  const table = {
    get: async (key: { pk: string }) => {
      asked.push(key.pk);
      return items[key.pk];
    },
  } as Pick<DynamoDbTable, 'get'>;
  return { table, asked };
};

export const pkOf = (packageId: number, tenant = DEFAULT_TENANT) =>
  packageKey(packageId, tenant).pk;

/** One item of the scanned table: a package to archive, or anything else the filter drops. */
export interface Row extends PackageRef {
  readonly candidate: boolean;
  readonly failedBefore?: boolean;
}

/**
 * The backfill's Scan over rows in memory, in their order: each page reads `limit` rows and keeps
 * the candidates of the tenant asked for; `failAt` fails the page that starts at that row.
 */
export const fakeScan = (rows: readonly Row[], failAt?: number) => {
  const requests: ScanPageRequest[] = [];
  const scan = async (request: ScanPageRequest): Promise<ScanPage> => {
    requests.push(request);
    const start =
      request.after === undefined
        ? 0
        : rows.findIndex((row) => pkOf(row.packageId, row.tenant) === request.after?.pk) + 1;
    if (start === failAt)
      throw Object.assign(new Error('Throughput exceeds the limit'), {
        name: 'ProvisionedThroughputExceededException',
      });
    const read = rows.slice(start, start + request.limit);
    const last = read.at(-1);
    return {
      packages: read
        .filter((row) => row.candidate && (request.tenant ?? row.tenant) === row.tenant)
        .map((row) => ({
          packageId: row.packageId,
          tenant: row.tenant,
          key: { pk: pkOf(row.packageId, row.tenant), sk: 'PACKAGE' },
          failedBefore: row.failedBefore === true,
        })),
      scanned: read.length,
      next:
        start + request.limit < rows.length && last
          ? { pk: pkOf(last.packageId, last.tenant), sk: 'PACKAGE' }
          : undefined,
    };
  };
  return { scan, requests };
};
