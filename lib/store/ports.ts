import type {
  ArchivedDocument,
  FinishItem,
  FinishKey,
  FinishStatus,
  LastError,
  PackageArchive,
  PackageItem,
  PackageStatus,
  RejectedInput,
} from './items.ts';

/** A claim on one finish: only the holder of `leaseId` may settle it, until `leaseUntil`. */
export interface Lease {
  readonly leaseId: string;
  readonly leaseUntil: number;
}

export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly status: FinishStatus };

/** What a try that failed for now leaves on the item. */
export interface RetryProgress {
  readonly lastError: LastError;
  readonly requestsSent: number;
  readonly now: Date;
}

export interface SettleFinish {
  readonly status: Exclude<FinishStatus, 'IN_FLIGHT'>;
  readonly now: Date;
  /** Finish requests sent since the last write, added to `attempts`. */
  readonly requestsSent: number;
  readonly lastError?: LastError | undefined;
}

/** The finish items: one per (package, signer), moved only by conditional writes. */
export interface FinishStore {
  /** Takes the finish, unless it is settled for good or another live lease holds it. */
  claimFinish(key: FinishKey, lease: Lease, now: Date): Promise<ClaimResult>;
  /** Before a retry: counts the requests sent, records the last error and extends the lease. */
  recordRetry(key: FinishKey, lease: Lease, progress: RetryProgress): Promise<boolean>;
  /** Leaves IN_FLIGHT; false when the lease was lost to another invocation. */
  settleFinish(key: FinishKey, leaseId: string, settle: SettleFinish): Promise<boolean>;
  getFinish(key: FinishKey): Promise<FinishItem | undefined>;
}

/** What SigningHub's workflow details said of a package, already mapped to our status. */
export interface Confirmation {
  readonly status: PackageStatus;
  /** SigningHub's own word (`workflow_status`); absent when the package answered 404. */
  readonly workflowStatus: string | undefined;
}

export interface ConfirmationResult {
  /** The package's status after the write: a final status already there wins. */
  readonly status: PackageStatus;
  /** True only for the write that moved the package to a final status. */
  readonly becameFinal: boolean;
}

export interface StalePage {
  readonly packageIds: readonly number[];
  /** An opaque cursor for the next page; undefined when there is none. */
  readonly next: string | undefined;
}

/** The package items: created by the first finish or callback; a final status is never overwritten. */
export interface PackageStore {
  /** Creates the package IN_PROGRESS or touches it; a final package is left as it is. */
  markInProgress(packageId: number, now: Date): Promise<void>;
  /** Counts a callback (creating the package IN_PROGRESS if new) and returns the item. */
  recordCallback(packageId: number, now: Date): Promise<PackageItem>;
  /** Records what SigningHub confirmed; a final status, once there, stays. */
  recordConfirmation(
    packageId: number,
    confirmation: Confirmation,
    now: Date,
  ): Promise<ConfirmationResult>;
  /** Packages IN_PROGRESS whose last change is older than `before`, oldest first, from the index. */
  listStalePackages(before: Date, limit: number, cursor?: string): Promise<StalePage>;
  getPackage(packageId: number): Promise<PackageItem | undefined>;
}

/** Input that could not be used, kept with its reason so nothing is silently dropped. */
export interface RejectedStore {
  /** Idempotent per id: a redelivered message does not make a second item. */
  putRejected(input: RejectedInput): Promise<void>;
}

/** The tenants other than `default` that have packages in the table. */
export interface TenantRegistry {
  /** Records that the tenant has packages; cheap when this instance did so already. */
  register(tenant: string): Promise<void>;
  tenants(): Promise<string[]>;
}

/**
 * A COMPLETED package's archive on its package item: its documents recorded one by one as each is
 * stored, then ARCHIVED or FAILED. Every write is conditional, so deliveries of one package racing
 * each other never record a document twice nor archive it twice.
 */
export interface ArchiveStore {
  /** Read strongly consistent; undefined when the table has no such package. */
  getArchive(packageId: number): Promise<PackageArchive | undefined>;
  /**
   * An operator's forced archive of an ARCHIVED package: its documents emptied and its archive
   * status removed, so it runs again from the start. Once per request: false when the package is
   * not ARCHIVED, or was archived again for this very request (`requestId`) already.
   */
  restartArchive(packageId: number, requestId: string): Promise<boolean>;
  /**
   * Records a stored document, only while the package is COMPLETED, not ARCHIVED, and holds exactly
   * `recorded` documents; false when another delivery changed it since it was read.
   */
  addDocument(
    packageId: number,
    document: ArchivedDocument,
    recorded: number,
    bucket: string,
  ): Promise<boolean>;
  /** ARCHIVED, once: only while it holds exactly `recorded` documents and is not ARCHIVED yet. */
  markArchived(packageId: number, recorded: number, bucket: string, now: Date): Promise<boolean>;
  /** FAILED with the error, its documents kept; never over ARCHIVED. */
  markFailed(packageId: number, error: LastError, now: Date): Promise<boolean>;
}
