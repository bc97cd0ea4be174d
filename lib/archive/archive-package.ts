import type { InvocationBudget } from '../invocation-timeline.ts';
import type { Log } from '../logger.ts';
import type { DocumentsPort, PackageDocument } from '../signinghub/ports.ts';
import type { ArchivedDocument, LastError, PackageArchive } from '../store/items.ts';
import type { ArchiveStore } from '../store/ports.ts';
import type { ArchiveMetrics } from './archive-metrics.ts';
import type { ArchiveRequest } from './archive-request.ts';
import { FinalFailure, HandBack, persevere, type RetryDependencies } from './archive-retries.ts';
import type { ArchiveBucket } from './s3-archive-bucket.ts';

/** One tenant's side of an archive: its package items, and its SigningHub's documents. */
export interface ArchiveSide {
  readonly archive: ArchiveStore;
  readonly documents: DocumentsPort;
}

/** `requestTimeoutMs` (one SigningHub attempt's timeout): no document starts with less time left. */
export interface ArchiveDependencies extends RetryDependencies {
  readonly bucket: ArchiveBucket;
  readonly now: () => Date;
  readonly metrics: ArchiveMetrics;
}

/** A request as this delivery serves it: `requestId` (the message's id) makes `--force` once. */
export interface ArchiveJob extends ArchiveRequest {
  readonly requestId: string;
}

/** What became of one request; `retry-later` hands the message back, to resume where it stopped. */
export type ArchiveOutcome =
  | 'archived'
  | 'already-archived'
  | 'nothing-to-archive'
  | 'failed'
  | 'retry-later';

/** `<tenant>/<packageId>/<documentId>.pdf`: `default` for the default tenant. */
export const objectKey = (tenant: string, packageId: number, documentId: number): string =>
  `${tenant}/${packageId}/${documentId}.pdf`;

/** The workflow answered 404: SigningHub no longer has the package, nor its documents. */
const DELETED =
  'the package no longer exists at SigningHub (404): its documents cannot be archived';

/**
 * Archives one COMPLETED package of a tenant: each document of its workflow details not yet
 * recorded is downloaded as the package's owner and streamed into the bucket, then recorded at
 * once, so a later delivery resumes after it; once all are, the package is ARCHIVED, once.
 * Transient failures are tried again within the invocation's tries and time, then handed back;
 * a final answer makes it FAILED, keeping the documents recorded.
 */
export const archivePackage = async (
  job: ArchiveJob,
  deps: ArchiveDependencies & ArchiveSide,
  budget: InvocationBudget,
  log: Log,
): Promise<ArchiveOutcome> => {
  const { packageId } = job;
  const found = await deps.archive.getArchive(packageId);
  if (found === undefined) {
    log.warn('the table has no such package: nothing to archive');
    return 'nothing-to-archive';
  }
  if (found.status !== 'COMPLETED') {
    log.info(`the package is ${found.status}: nothing to archive`, { packageStatus: found.status });
    return 'nothing-to-archive';
  }
  let recorded = found.documents;
  if (found.archiveStatus === 'ARCHIVED') {
    if (!job.force || !(await deps.archive.restartArchive(packageId, job.requestId))) {
      log.info('the package is archived already: nothing done', { archivedAt: found.archivedAt });
      return 'already-archived';
    }
    log.info('archiving the package again from the start, as the operator asked (--force)');
    recorded = [];
  }
  if (budget.requestMs() < deps.requestTimeoutMs) {
    log.warn('no time left in the invocation to archive; handed back to the queue');
    return 'retry-later';
  }
  const attempt = <T>(what: string, send: () => Promise<T>) =>
    persevere(what, send, deps, budget, log);
  try {
    const details = await attempt('the workflow details', () =>
      deps.documents.getPackageDocuments(packageId, { signal: budget.signal }),
    );
    if (details === undefined) throw new FinalFailure({ httpStatus: 404, message: DELETED });
    // An email, compared without regard to case: SigningHub's scope for the owner's documents.
    const scope = details.owner?.toLowerCase();
    for (const document of details.documents) {
      if (recorded.some(({ documentId }) => documentId === document.documentId)) continue;
      if (budget.requestMs() < deps.requestTimeoutMs) {
        log.warn('too little time left for another document; handed back, to resume after it', {
          documents: recorded.length,
        });
        return 'retry-later';
      }
      const key = objectKey(job.tenant, packageId, document.documentId);
      const stored = await attempt(`document ${document.documentId}`, () =>
        store(document, key, scope, job, deps, budget),
      ).catch((error: unknown) => {
        throw error instanceof FinalFailure ? ofDocument(document, error) : error;
      });
      const entry: ArchivedDocument = {
        documentId: document.documentId,
        name: document.name,
        key,
        ...stored,
      };
      const now = await recordDocument(packageId, entry, recorded, deps, log);
      if (now === undefined) return 'already-archived';
      recorded = now;
    }
    return await markArchived(packageId, recorded, deps, log);
  } catch (error) {
    if (error instanceof HandBack) return 'retry-later';
    if (!(error instanceof FinalFailure)) throw error;
    return await markFailed(packageId, error.details, deps, log);
  }
};

/** A document's final failure names the document. */
const ofDocument = (document: PackageDocument, failure: FinalFailure): FinalFailure =>
  new FinalFailure({
    ...failure.details,
    message: `document ${document.documentId}: ${failure.details.message}`,
  });

/** One try at a document: its download, as the owner, streamed into the bucket. */
const store = async (
  document: PackageDocument,
  key: string,
  scope: string | undefined,
  job: ArchiveJob,
  deps: ArchiveDependencies & ArchiveSide,
  budget: InvocationBudget,
) => {
  const { signal } = budget;
  const body = await deps.documents.downloadDocument(job.packageId, document.documentId, {
    scope,
    signal,
  });
  return deps.bucket.store({ key, name: document.name, body, signal });
};

/**
 * Records a stored document. When another delivery changed the list since it was read, the list
 * is read again: the document may be there already; otherwise it is appended to that list.
 * Undefined when the package was ARCHIVED meanwhile.
 */
const recordDocument = async (
  packageId: number,
  entry: ArchivedDocument,
  before: readonly ArchivedDocument[],
  deps: ArchiveDependencies & ArchiveSide,
  log: Log,
): Promise<readonly ArchivedDocument[] | undefined> => {
  let recorded = before;
  for (let tries = 1; tries <= 3; tries += 1) {
    if (await deps.archive.addDocument(packageId, entry, recorded.length, deps.bucket.name)) {
      deps.metrics.count('DocumentsArchived');
      deps.metrics.archivedBytes(entry.bytes);
      log.info('document archived', {
        documentId: entry.documentId,
        key: entry.key,
        bytes: entry.bytes,
      });
      return [...recorded, entry];
    }
    const now: PackageArchive | undefined = await deps.archive.getArchive(packageId);
    if (now?.status !== 'COMPLETED' || now.archiveStatus === 'ARCHIVED') return undefined;
    recorded = now.documents;
    if (recorded.some(({ documentId }) => documentId === entry.documentId)) return recorded;
  }
  throw new Error(`package ${packageId}'s documents kept changing while one was recorded`);
};

const markArchived = async (
  packageId: number,
  recorded: readonly ArchivedDocument[],
  deps: ArchiveDependencies & ArchiveSide,
  log: Log,
): Promise<ArchiveOutcome> => {
  if (await deps.archive.markArchived(packageId, recorded.length, deps.bucket.name, deps.now())) {
    deps.metrics.count('PackageArchived');
    const bytes = recorded.reduce((sum, document) => sum + document.bytes, 0);
    log.info('package archived', { documents: recorded.length, bytes, bucket: deps.bucket.name });
    return 'archived';
  }
  const now = await deps.archive.getArchive(packageId);
  if (now?.archiveStatus === 'ARCHIVED') return 'already-archived';
  // Another delivery changed its documents (an operator's --force): the next one sees it whole.
  log.warn('the package’s documents changed before it could be archived; handed back');
  return 'retry-later';
};

const markFailed = async (
  packageId: number,
  error: LastError,
  deps: ArchiveDependencies & ArchiveSide,
  log: Log,
): Promise<ArchiveOutcome> => {
  if (!(await deps.archive.markFailed(packageId, error, deps.now()))) {
    log.info('the archive failed, but another delivery archived the package meanwhile');
    return 'already-archived';
  }
  deps.metrics.count('ArchiveFailed');
  log.error('the archive failed for good', { archiveError: error });
  return 'failed';
};
