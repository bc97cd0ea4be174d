import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import type { StoredObject } from '../../harness/s3-stand-in.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import type { SimulatorCall } from '../../harness/simulator/types.ts';
import type { PlainItem } from '../support/table-items.ts';
import type { ArchiveDelivery } from './archive-side.ts';
import type { ArchivePlan, PlannedDocument } from './archive-workload.ts';
import type { TenantHostOutage } from './chaos.ts';
import type { Outage } from './invariants.ts';
import type { DeadLetter } from './sqs-emulation.ts';
import { DEFAULT_TENANT, type PackageRef, packageRef, refOfPartition } from './tenant-mix.ts';
import type { Workload } from './workload.ts';

/** What the archive's invariants are judged on, gathered once the run has settled. */
export interface ArchiveEvidence {
  readonly workload: Workload;
  readonly plan: ArchivePlan;
  readonly items: readonly PlainItem[];
  readonly events: readonly ReceivedEvent[];
  /** Every enterprise's call log. */
  readonly calls: readonly SimulatorCall[];
  readonly bucket: string;
  readonly objects: readonly StoredObject[];
  /** How many times each key was stored. */
  readonly stores: ReadonlyMap<string, number>;
  /** The generator's SHA-256 of each planned document, by its object key. */
  readonly checksums: ReadonlyMap<string, string>;
  readonly deliveries: readonly ArchiveDelivery[];
  readonly deadLetters: readonly DeadLetter[];
  /** Packages the chaos deleted at SigningHub (they may have completed first). */
  readonly deletedAtSigningHub: ReadonlySet<PackageRef>;
  /** The scope each package's documents must be read with: its owner's email, or ''. */
  readonly scopeOf: (ref: PackageRef) => string;
  readonly outage: Outage | undefined;
  readonly tenantOutage: TenantHostOutage | undefined;
}

export interface ArchivedEntry {
  readonly documentId: number;
  readonly name: string;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ArchiveErrorDetail {
  readonly httpStatus?: number;
  readonly message: string;
}

/** A package item's archive, read apart from the product's own parsing. */
export interface PackageArchiveView {
  readonly ref: PackageRef;
  readonly status: string;
  readonly archiveStatus: string | undefined;
  readonly documents: readonly ArchivedEntry[];
  readonly archiveError: ArchiveErrorDetail | undefined;
}

const KEY = /^([a-z0-9-]+)\/([0-9]+)\/([0-9]+)\.pdf$/;

/** `<tenant>/<packageId>/<documentId>.pdf`, written here apart from the product's key code. */
export const expectedKey = (ref: PackageRef, documentId: number): string =>
  `${ref}/${documentId}.pdf`;

/** The package and document an object key names, when it has the archive's shape. */
export const parseObjectKey = (
  key: string,
): { ref: PackageRef; documentId: number } | undefined => {
  const match = KEY.exec(key);
  if (!match) return undefined;
  return {
    ref: packageRef(match[1] ?? '', Number(match[2])),
    documentId: Number(match[3]),
  };
};

export const plannedDocument = (
  plan: ArchivePlan,
  ref: PackageRef,
  documentId: number,
): PlannedDocument | undefined =>
  plan.documents.get(ref)?.find((document) => document.documentId === documentId);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const entryOf = (value: unknown): ArchivedEntry | undefined => {
  if (!isRecord(value)) return undefined;
  const { documentId, name, key, bytes, sha256 } = value;
  if (typeof documentId !== 'number' || typeof bytes !== 'number') return undefined;
  if (typeof name !== 'string' || typeof key !== 'string' || typeof sha256 !== 'string') {
    return undefined;
  }
  return { documentId, name, key, bytes, sha256 };
};

export const entriesOf = (value: unknown): ArchivedEntry[] =>
  Array.isArray(value)
    ? value.flatMap((entry) => {
        const parsed = entryOf(entry);
        return parsed ? [parsed] : [{ documentId: -1, name: '', key: '', bytes: -1, sha256: '' }];
      })
    : [];

export const errorOf = (value: unknown): ArchiveErrorDetail | undefined => {
  if (!isRecord(value) || typeof value.message !== 'string') return undefined;
  return typeof value.httpStatus === 'number'
    ? { httpStatus: value.httpStatus, message: value.message }
    : { message: value.message };
};

/** Every package item, by its package. */
export const packageArchives = (
  items: readonly PlainItem[],
): Map<PackageRef, PackageArchiveView> => {
  const views = new Map<PackageRef, PackageArchiveView>();
  for (const item of items) {
    const ref = refOfPartition(typeof item.pk === 'string' ? item.pk : undefined);
    if (ref === undefined || item.sk !== 'PACKAGE') continue;
    views.set(ref, {
      ref,
      status: typeof item.status === 'string' ? item.status : '',
      archiveStatus: typeof item.archiveStatus === 'string' ? item.archiveStatus : undefined,
      documents: entriesOf(item.documents),
      archiveError: errorOf(item.archiveError),
    });
  }
  return views;
};

/** The package an event of the stack's names, by its detail's tenant and package id. */
export const refOfEvent = (event: ReceivedEvent): PackageRef => {
  const detail = isRecord(event.detail) ? event.detail : {};
  const tenant = typeof detail.tenant === 'string' ? detail.tenant : DEFAULT_TENANT;
  return packageRef(tenant, Number(detail.packageId));
};

/**
 * The generator's SHA-256 of every planned document an object or a package item names, by key:
 * what the archive must have stored (computed again from the seed, never from what was stored).
 */
export const generatorChecksums = async (
  plan: ArchivePlan,
  keys: Iterable<string>,
): Promise<Map<string, string>> => {
  const checksums = new Map<string, string>();
  for (const key of new Set(keys)) {
    const named = parseObjectKey(key);
    const document = named && plannedDocument(plan, named.ref, named.documentId);
    if (!named || !document) continue;
    const [tenant = '', packageId = ''] = named.ref.split('/');
    const spec = { tenant, packageId: Number(packageId), documentId: document.documentId };
    checksums.set(key, await documentSha256({ ...spec, bytes: document.bytes }));
  }
  return checksums;
};

/** Milliseconds when at least one delivery ran: the archive's busy time. */
export const busyMs = (deliveries: readonly ArchiveDelivery[], now = Date.now()): number => {
  const spans = deliveries
    .map(({ startedAt, endedAt }) => [startedAt, endedAt ?? now] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let open: number | undefined;
  let close = 0;
  for (const [start, end] of spans) {
    if (open === undefined || start > close) {
      if (open !== undefined) total += close - open;
      open = start;
      close = end;
    } else {
      close = Math.max(close, end);
    }
  }
  return open === undefined ? total : total + close - open;
};
