import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import type { S3Operation, StoredObject } from '../../harness/s3-stand-in.ts';
import type { SimulatorCall } from '../../harness/simulator/types.ts';
import type { PlainItem } from '../support/table-items.ts';
import { busyMs, packageArchives, refOfEvent } from './archive-evidence.ts';
import type { ArchiveDelivery, ArchiveRouting } from './archive-side.ts';
import type { ArchiveFault, ArchivePlan } from './archive-workload.ts';
import type { MappingStats } from './event-source-mapping.ts';
import type { QueueStats } from './sqs-emulation.ts';
import type { PackageRef } from './tenant-mix.ts';

/** The archive's share of the run, for the report. */
export interface ArchiveFigures {
  readonly routing: Readonly<ArchiveRouting>;
  readonly queue: Readonly<QueueStats>;
  readonly deliveries: number;
  /** Deliveries that began with some of their package's documents recorded, not all. */
  readonly resumed: number;
  /** Messages the archive handed back (partial batch responses), and invocations that threw. */
  readonly handedBack: number;
  readonly failedInvocations: number;
  readonly documents: number;
  readonly bytes: number;
  readonly multipartDocuments: number;
  /** When at least one archive invocation ran. */
  readonly busyMs: number;
  readonly documentsPerSecond: number;
  /** MB (10^6 bytes) a second of busy time. */
  readonly megabytesPerSecond: number;
  /** From a completion event on ArchiveQueue to its package's SigningPackageArchived. */
  readonly toArchivedMs: { readonly median: number; readonly p95: number };
  readonly documentRequests: Readonly<Record<string, number>>;
  readonly bodies: Readonly<Record<string, number>>;
  readonly faults: Readonly<Partial<Record<ArchiveFault, number>>>;
  readonly s3Requests: Readonly<Partial<Record<S3Operation, number>>>;
}

export interface ArchiveFigureSources {
  readonly routing: Readonly<ArchiveRouting>;
  readonly queue: Readonly<QueueStats>;
  readonly mapping: Readonly<MappingStats>;
  readonly deliveries: readonly ArchiveDelivery[];
  readonly routedAt: ReadonlyMap<PackageRef, number>;
  readonly items: readonly PlainItem[];
  readonly events: readonly ReceivedEvent[];
  readonly calls: readonly SimulatorCall[];
  readonly objects: readonly StoredObject[];
  readonly plan: ArchivePlan;
  readonly s3Requests: Readonly<Partial<Record<S3Operation, number>>>;
}

const rank = (sorted: readonly number[], share: number): number =>
  sorted[Math.max(0, Math.ceil(sorted.length * share) - 1)] ?? 0;

const countInto = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export const archiveFigures = (sources: ArchiveFigureSources): ArchiveFigures => {
  const recorded = [...packageArchives(sources.items).values()].flatMap(
    ({ documents }) => documents,
  );
  const bytes = recorded.reduce((sum, { bytes: size }) => sum + size, 0);
  const busy = busyMs(sources.deliveries);
  const seconds = busy / 1000;
  const latencies: number[] = [];
  for (const event of sources.events) {
    if (event.detailType !== 'SigningPackageArchived') continue;
    const routed = sources.routedAt.get(refOfEvent(event));
    if (routed !== undefined) latencies.push(event.at - routed);
  }
  latencies.sort((a, b) => a - b);
  const documentRequests: Record<string, number> = {};
  const bodies: Record<string, number> = {};
  for (const call of sources.calls) {
    if (call.operation !== 'document') continue;
    countInto(documentRequests, String(call.status));
    if (call.download) countInto(bodies, call.download.end);
  }
  const faults: Partial<Record<ArchiveFault, number>> = {};
  for (const { kind } of sources.plan.faults.values()) faults[kind] = (faults[kind] ?? 0) + 1;
  return {
    routing: { ...sources.routing },
    queue: { ...sources.queue },
    deliveries: sources.deliveries.length,
    resumed: sources.deliveries.filter(
      ({ before }) => before !== undefined && !before.archived && before.documents.size > 0,
    ).length,
    handedBack: sources.mapping.itemFailures,
    failedInvocations: sources.mapping.failedInvocations,
    documents: recorded.length,
    bytes,
    multipartDocuments: sources.objects.filter(({ partSizes }) => partSizes.length > 1).length,
    busyMs: busy,
    documentsPerSecond: seconds > 0 ? recorded.length / seconds : 0,
    megabytesPerSecond: seconds > 0 ? bytes / 1e6 / seconds : 0,
    toArchivedMs: { median: rank(latencies, 0.5), p95: rank(latencies, 0.95) },
    documentRequests,
    bodies,
    faults,
    s3Requests: { ...sources.s3Requests },
  };
};

const list = (counts: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(counts)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([name, count]) => `${name}: ${count}`)
    .join(', ') || 'none';

/** The archive's rows of the report's figures. */
export const archiveRows = (figures: ArchiveFigures | undefined): string[][] => {
  if (!figures) return [];
  const { routing, queue } = figures;
  const mb = (figures.bytes / 1e6).toFixed(1);
  return [
    [
      'archive: ArchiveQueue',
      `${routing.routed} completion events routed, ${routing.duplicates} delivered twice ` +
        `(${routing.concurrentDuplicates} at the same moment), ${routing.strays} requests for ` +
        `packages not COMPLETED; ${figures.deliveries} deliveries ` +
        `(${queue.redeliveries} redeliveries, ${figures.resumed} resuming a package), ` +
        `${figures.handedBack} handed back, ` +
        `${figures.failedInvocations} invocations failed, ${queue.deadLettered} dead-lettered ` +
        `(${routing.redriven} redriven); ${(routing.settleMs / 1000).toFixed(1)} s to settle ` +
        'after the signing events had',
    ],
    [
      'archive: throughput',
      `${figures.documents} documents, ${mb} MB (${figures.multipartDocuments} multipart) in ` +
        `${(figures.busyMs / 1000).toFixed(1)} s busy: ${figures.documentsPerSecond.toFixed(1)} ` +
        `documents/s, ${figures.megabytesPerSecond.toFixed(1)} MB/s`,
    ],
    [
      'archive: completion event to archived',
      `median ${Math.round(figures.toArchivedMs.median)} ms, p95 ${Math.round(figures.toArchivedMs.p95)} ms`,
    ],
    [
      'archive: SigningHub documents',
      `requests by answer ${list(figures.documentRequests)}; bodies ${list(figures.bodies)}; ` +
        `faults scripted ${list(figures.faults)}`,
    ],
    ['archive: S3 requests', list(figures.s3Requests)],
  ];
};
