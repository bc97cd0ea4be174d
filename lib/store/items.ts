export type FinishStatus = 'IN_FLIGHT' | 'RETRYING' | 'SUCCEEDED' | 'FAILED';
export type PackageStatus = 'IN_PROGRESS' | 'COMPLETED' | 'DECLINED' | 'DELETED';
type RejectedSource = 'event' | 'callback';

const FINAL_PACKAGE_STATUSES: ReadonlySet<string> = new Set<PackageStatus>([
  'COMPLETED',
  'DECLINED',
  'DELETED',
]);

export const isFinalPackageStatus = (status: string | undefined): boolean =>
  status !== undefined && FINAL_PACKAGE_STATUSES.has(status);

export interface LastError {
  readonly httpStatus?: number;
  readonly message: string;
}

/** One finish per (package, signer); `signer` is the lower-case email, or undefined for the account. */
export interface FinishKey {
  readonly packageId: number;
  readonly signer: string | undefined;
}

export interface FinishItem extends FinishKey {
  readonly status: FinishStatus;
  readonly attempts: number;
  readonly lastError: LastError | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | undefined;
}

export interface PackageItem {
  readonly packageId: number;
  readonly status: PackageStatus;
  readonly workflowStatus: string | undefined;
  readonly callbacks: number;
  readonly lastCallbackAt: string | undefined;
  readonly completedAt: string | undefined;
  readonly updatedAt: string;
}

/** What became of a COMPLETED package's archive: absent until it is one of these. */
export type ArchiveStatus = 'ARCHIVED' | 'FAILED';

/** One signed document stored in the archive bucket. */
export interface ArchivedDocument {
  /** SigningHub's `document_id`. */
  readonly documentId: number;
  /** SigningHub's `document_name`, whole. */
  readonly name: string;
  /** The object's key: `<tenant>/<packageId>/<documentId>.pdf`. */
  readonly key: string;
  readonly bytes: number;
  /** SHA-256 of the stored bytes, lower-case hex. */
  readonly sha256: string;
}

/** A package's archive, as its package item records it. */
export interface PackageArchive {
  readonly packageId: number;
  readonly status: PackageStatus;
  readonly archiveStatus: ArchiveStatus | undefined;
  readonly archivedAt: string | undefined;
  /** The documents stored so far, in the order they were stored. */
  readonly documents: readonly ArchivedDocument[];
  /** Why it is FAILED. */
  readonly archiveError: LastError | undefined;
}

export interface RejectedInput {
  readonly id: string;
  readonly source: RejectedSource;
  readonly reason: string;
  readonly raw: string;
  readonly receivedAt: string;
  /** The tenant the input was for, when it named one (`default` or none: the default tenant). */
  readonly tenant?: string | undefined;
}

/** The sparse index of packages still IN_PROGRESS, by last change, for the reconciler. */
export const OPEN_PACKAGES_INDEX = 'open-packages';
