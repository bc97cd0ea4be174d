import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import {
  type ArchivedEntry,
  type ArchiveErrorDetail,
  type ArchiveEvidence,
  expectedKey,
  type PackageArchiveView,
  packageArchives,
  parseObjectKey,
  plannedDocument,
  refOfEvent,
} from './archive-evidence.ts';
import type { ArchiveDelivery } from './archive-side.ts';
import { type InvariantRow, row } from './invariant-row.ts';
import type { PackageRef } from './tenant-mix.ts';

const ARCHIVED = 'SigningPackageArchived';
const FAILED = 'SigningPackageArchiveFailed';
/** After its host is back, a tenant's circuit may stay open for its cool-down and a probe. */
const CIRCUIT_AFTERMATH_MS = 35_000;

const tenantOf = (ref: PackageRef): string => ref.slice(0, ref.indexOf('/'));

/** `default 3, acme 1, ...` in the workload's tenant order. */
const perTenant = (evidence: ArchiveEvidence, refs: Iterable<PackageRef>): string => {
  const counts = new Map<string, number>();
  for (const ref of refs) counts.set(tenantOf(ref), (counts.get(tenantOf(ref)) ?? 0) + 1);
  return evidence.workload.tenants.map(({ name }) => `${name} ${counts.get(name) ?? 0}`).join(', ');
};

const byPackage = (events: readonly ReceivedEvent[], detailType: string) => {
  const found = new Map<PackageRef, ReceivedEvent[]>();
  for (const event of events) {
    if (event.detailType !== detailType) continue;
    const ref = refOfEvent(event);
    found.set(ref, [...(found.get(ref) ?? []), event]);
  }
  return found;
};

const errorOfEvent = (event: ReceivedEvent): ArchiveErrorDetail | undefined =>
  (event.detail as { error?: ArchiveErrorDetail }).error;

/**
 * Why a package's archive may fail for good: a document the run made SigningHub refuse (403,
 * 404), or the package deleted at SigningHub by the chaos (its workflow or a document then 404).
 */
const namedReason = (
  evidence: ArchiveEvidence,
  ref: PackageRef,
  error: ArchiveErrorDetail | undefined,
): string | undefined => {
  const fault = evidence.plan.faults.get(ref);
  if (
    fault &&
    (fault.kind === '403' || fault.kind === '404') &&
    error?.httpStatus === Number(fault.kind) &&
    error.message.startsWith(`document ${fault.documentId}: `)
  ) {
    return `document ${fault.kind}`;
  }
  if (evidence.deletedAtSigningHub.has(ref) && error?.httpStatus === 404) {
    return 'deleted at SigningHub';
  }
  return undefined;
};

/** Every COMPLETED package ARCHIVED once, or FAILED for a reason the run put there. */
const archivedOnce = (
  evidence: ArchiveEvidence,
  views: ReadonlyMap<PackageRef, PackageArchiveView>,
): InvariantRow => {
  const archivedEvents = byPackage(evidence.events, ARCHIVED);
  const failedEvents = byPackage(evidence.events, FAILED);
  const problems: string[] = [];
  const archived: PackageRef[] = [];
  const failed: PackageRef[] = [];
  const reasons = new Map<string, number>();
  let failedThenArchived = 0;
  let completed = 0;
  for (const [ref, view] of views) {
    const archives = archivedEvents.get(ref) ?? [];
    const failures = failedEvents.get(ref) ?? [];
    if (view.status !== 'COMPLETED') continue;
    completed += 1;
    for (const failure of failures) {
      const reason = namedReason(evidence, ref, errorOfEvent(failure));
      if (reason === undefined) {
        problems.push(
          `${ref} failed for no reason of the run's: ${JSON.stringify(failure.detail)}`,
        );
      } else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const planned = evidence.plan.documents.get(ref) ?? [];
    if (view.archiveStatus === 'ARCHIVED') {
      archived.push(ref);
      if (failures.length > 0) failedThenArchived += 1;
      if (archives.length !== 1) problems.push(`${ref} ARCHIVED with ${archives.length} events`);
      if (view.documents.length !== planned.length) {
        problems.push(
          `${ref} ARCHIVED with ${view.documents.length} of ${planned.length} documents`,
        );
      }
    } else if (view.archiveStatus === 'FAILED') {
      failed.push(ref);
      if (archives.length > 0 || failures.length === 0) {
        problems.push(
          `${ref} FAILED with ${archives.length} archived, ${failures.length} failed events`,
        );
      }
      if (namedReason(evidence, ref, view.archiveError) === undefined) {
        problems.push(`${ref} FAILED: ${JSON.stringify(view.archiveError)}`);
      }
    } else {
      problems.push(`${ref} COMPLETED but its archive is ${view.archiveStatus ?? 'not done'}`);
    }
  }
  for (const ref of [...archivedEvents.keys(), ...failedEvents.keys()]) {
    if (views.get(ref)?.status !== 'COMPLETED') problems.push(`${ref} has archive events`);
  }
  const why = [...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ') || 'none';
  return row(
    'every COMPLETED package ARCHIVED exactly once, or FAILED for a reason the run put there',
    `${completed} COMPLETED: ${archived.length} ARCHIVED (${perTenant(evidence, archived)}), ` +
      `one SigningPackageArchived each; ${failed.length} FAILED; failures: ${why} ` +
      `(${failedThenArchived} archived later by a repeated delivery)`,
    problems,
  );
};

/** One recorded document against the stored object, the generator and the plan. */
const checkEntry = (
  evidence: ArchiveEvidence,
  ref: PackageRef,
  entry: ArchivedEntry,
  problems: string[],
): void => {
  const planned = plannedDocument(evidence.plan, ref, entry.documentId);
  const object = evidence.objects.find((each) => each.key === entry.key);
  const expected = evidence.checksums.get(entry.key);
  const where = `${ref} document ${entry.documentId}`;
  if (!planned) return void problems.push(`${where}: no such document at SigningHub`);
  if (entry.key !== expectedKey(ref, entry.documentId)) problems.push(`${where}: key ${entry.key}`);
  if (!object) return void problems.push(`${where}: no object ${entry.key}`);
  if (entry.name !== planned.name) problems.push(`${where}: named ${entry.name}`);
  if (object.bytes !== planned.bytes || entry.bytes !== planned.bytes) {
    problems.push(
      `${where}: ${planned.bytes} bytes, stored ${object.bytes}, recorded ${entry.bytes}`,
    );
  }
  if (expected === undefined || object.sha256 !== expected || entry.sha256 !== expected) {
    problems.push(
      `${where}: SHA-256 ${expected}, stored ${object.sha256}, recorded ${entry.sha256}`,
    );
  }
  if (object.contentType !== 'application/pdf') problems.push(`${where}: ${object.contentType}`);
  if (object.metadata['document-name'] !== encodeURIComponent(planned.name)) {
    problems.push(`${where}: document-name ${object.metadata['document-name']}`);
  }
};

/** Each recorded document is the stored object, whose bytes are the generator's. */
const checksumsRight = (
  evidence: ArchiveEvidence,
  views: ReadonlyMap<PackageRef, PackageArchiveView>,
): InvariantRow => {
  const problems: string[] = [];
  const refs: PackageRef[] = [];
  const archivedEvents = byPackage(evidence.events, ARCHIVED);
  for (const [ref, view] of views) {
    for (const entry of view.documents) {
      refs.push(ref);
      checkEntry(evidence, ref, entry, problems);
    }
    for (const event of archivedEvents.get(ref) ?? []) {
      const detail = event.detail as { bucket?: unknown; documents?: unknown };
      if (detail.bucket !== evidence.bucket) problems.push(`${ref}: event names ${detail.bucket}`);
      if (JSON.stringify(detail.documents) !== JSON.stringify(view.documents)) {
        problems.push(`${ref}: the archived event's documents are not the item's`);
      }
    }
  }
  const multipart = evidence.objects.filter(({ partSizes }) => partSizes.length > 1);
  const largest = Math.max(0, ...evidence.objects.map(({ bytes }) => bytes));
  return row(
    "every stored document's SHA-256 and size are the generator's and its item's",
    `${refs.length} documents recorded (${perTenant(evidence, refs)}), ${evidence.objects.length} ` +
      `objects (${multipart.length} multipart, the largest ${(largest / 2 ** 20).toFixed(1)} MiB), ` +
      `each checked against the generator's bytes`,
    problems,
  );
};

/**
 * No document fetched again once recorded: a delivery downloads only what its package item did
 * not hold when it began. A document sent whole more than once is told apart: a retry within one
 * delivery, two deliveries of one package at once (a copy of the event), or a later delivery
 * after a store the table had not recorded (DynamoDB away). Every document read as its owner.
 */
const downloadedOnce = (evidence: ArchiveEvidence): InvariantRow => {
  const problems: string[] = [];
  const deliveriesOf = new Map<PackageRef, ArchiveDelivery[]>();
  for (const delivery of evidence.deliveries) {
    if (delivery.ref === undefined) continue;
    deliveriesOf.set(delivery.ref, [...(deliveriesOf.get(delivery.ref) ?? []), delivery]);
  }
  /** Per document sent whole: the deliveries running at each of its whole bodies. */
  const bodies = new Map<string, ArchiveDelivery[][]>();
  let requests = 0;
  for (const call of evidence.calls) {
    if (call.operation !== 'document' || call.packageId === undefined) continue;
    requests += 1;
    const ref = `${call.enterprise}/${call.packageId}`;
    const documentId = call.documentId ?? -1;
    const scope = evidence.scopeOf(ref);
    if (call.tokenScope !== undefined && call.tokenScope !== scope) {
      problems.push(`${ref} document ${documentId} read as "${call.tokenScope}", not "${scope}"`);
    }
    const running = (deliveriesOf.get(ref) ?? []).filter(
      (d) => d.startedAt <= call.at && (d.endedAt ?? Number.POSITIVE_INFINITY) >= call.at,
    );
    if (running.length === 0) {
      problems.push(`${ref} document ${documentId} requested outside any delivery`);
      continue;
    }
    if (running.every(({ before }) => before?.documents.has(documentId) === true)) {
      problems.push(`${ref} document ${documentId} requested again, recorded before its delivery`);
    }
    if (call.download?.end === 'complete') {
      const key = `${ref}/${documentId}`;
      bodies.set(key, [...(bodies.get(key) ?? []), running]);
    }
  }
  const again = { retry: 0, atOnce: 0, unrecorded: 0 };
  for (const runs of bodies.values()) {
    if (runs.length < 2) continue;
    if (runs.some((running) => running.length > 1)) again.atOnce += 1;
    else if (new Set(runs.map(([delivery]) => delivery)).size === 1) again.retry += 1;
    else again.unrecorded += 1;
  }
  const resumed = evidence.deliveries.filter(
    ({ before }) => before !== undefined && !before.archived && before.documents.size > 0,
  );
  return row(
    'no document downloaded again once recorded; each read as its package’s owner',
    `${requests} document requests, ${bodies.size} documents sent whole; more than once: ` +
      `${again.retry} retried within a delivery, ${again.atOnce} by two deliveries at once (a ` +
      `copy of the event), ${again.unrecorded} stored but not recorded before a later delivery; ` +
      `${resumed.length} deliveries resumed a package after its stored documents`,
    problems,
  );
};

/** No archive for a package that did not complete: nothing read, stored, recorded or sent. */
const onlyCompleted = (
  evidence: ArchiveEvidence,
  views: ReadonlyMap<PackageRef, PackageArchiveView>,
): InvariantRow => {
  const problems: string[] = [];
  const notCompleted = evidence.workload.packages
    .map(({ ref }) => ref)
    .filter((ref) => views.get(ref)?.status !== 'COMPLETED');
  const skipped = new Set(notCompleted);
  for (const ref of notCompleted) {
    const view = views.get(ref);
    if (view?.archiveStatus !== undefined || (view?.documents.length ?? 0) > 0) {
      problems.push(`${ref} is ${view?.status}, archive ${view?.archiveStatus}`);
    }
  }
  for (const call of evidence.calls) {
    const ref = `${call.enterprise}/${call.packageId}`;
    if (call.operation === 'document' && skipped.has(ref)) {
      problems.push(`${ref} is ${views.get(ref)?.status ?? 'unknown'}, its document was read`);
    }
  }
  for (const object of evidence.objects) {
    const named = parseObjectKey(object.key);
    if (named && skipped.has(named.ref)) problems.push(`${object.key} stored, not COMPLETED`);
  }
  const statuses = new Map<string, number>();
  for (const ref of notCompleted) {
    const status = views.get(ref)?.status ?? 'no item';
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  return row(
    'no DECLINED, DELETED or unfinished package archived',
    `${[...statuses].map(([status, count]) => `${count} ${status}`).join(', ') || 'none'}: ` +
      'nothing read, stored or recorded for them',
    problems,
  );
};

/** Every object at `<tenant>/<packageId>/<documentId>.pdf` of a planned document, recorded. */
const keysInPlace = (
  evidence: ArchiveEvidence,
  views: ReadonlyMap<PackageRef, PackageArchiveView>,
): InvariantRow => {
  const problems: string[] = [];
  const tenants = new Set(evidence.workload.tenants.map(({ name }) => name));
  for (const object of evidence.objects) {
    const named = parseObjectKey(object.key);
    if (object.bucket !== evidence.bucket) problems.push(`${object.bucket}/${object.key}`);
    if (!named || !tenants.has(tenantOf(named.ref))) {
      problems.push(`${object.key}: not <tenant>/<packageId>/<documentId>.pdf`);
      continue;
    }
    if (!plannedDocument(evidence.plan, named.ref, named.documentId)) {
      problems.push(`${object.key}: no such document of ${named.ref}`);
    }
    const recorded = views.get(named.ref)?.documents.some(({ key }) => key === object.key);
    if (!recorded) problems.push(`${object.key}: stored, not recorded in its package item`);
  }
  const again = [...evidence.stores.values()].filter((count) => count > 1).length;
  return row(
    'no object outside <tenant>/<packageId>/<documentId>.pdf',
    `${evidence.objects.length} objects (${perTenant(
      evidence,
      evidence.objects.flatMap(({ key }) => parseObjectKey(key)?.ref ?? []),
    )}); ${again} stored more than once`,
    problems,
  );
};

/** Every ArchiveQueue dead letter came from the tenant outage or DynamoDB's restart. */
const deadLettersExplained = (evidence: ArchiveEvidence): InvariantRow => {
  const { tenantOutage, outage } = evidence;
  const problems: string[] = [];
  const reasons = new Map<string, number>();
  for (const letter of evidence.deadLetters) {
    const ref = evidence.deliveries.find(({ messageId }) => messageId === letter.messageId)?.ref;
    const hostDown =
      tenantOutage !== undefined &&
      ref !== undefined &&
      tenantOf(ref) === tenantOutage.tenant &&
      letter.receivedAt.some(
        (at) => at >= tenantOutage.downAt && at <= tenantOutage.upAt + CIRCUIT_AFTERMATH_MS,
      );
    const tableAway =
      outage !== undefined &&
      letter.receivedAt.some((at) => at >= outage.stoppedAt - 30_000 && at <= outage.restartedAt);
    const reason = hostDown
      ? "its tenant's host was down"
      : tableAway
        ? 'DynamoDB away'
        : undefined;
    if (reason === undefined) problems.push(`${letter.messageId} (${ref}) dead-lettered`);
    else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return row(
    'every archive dead letter has a reason, and is archived once redriven',
    `${evidence.deadLetters.length} dead-lettered` +
      (reasons.size === 0 ? '' : ` (${[...reasons].map(([r, n]) => `${n}: ${r}`).join(', ')})`),
    problems,
  );
};

export const archiveInvariants = (evidence: ArchiveEvidence): InvariantRow[] => {
  const views = packageArchives(evidence.items);
  return [
    archivedOnce(evidence, views),
    checksumsRight(evidence, views),
    downloadedOnce(evidence),
    onlyCompleted(evidence, views),
    keysInPlace(evidence, views),
    deadLettersExplained(evidence),
  ];
};
