import type {
  FinishItem,
  FinishKey,
  FinishStatus,
  LastError,
  PackageItem,
  RejectedInput,
} from './items.ts';

/** A claim on one finish: only the holder of `leaseId` may settle it, until `leaseUntil`. */
export interface Lease {
  readonly leaseId: string;
  readonly leaseUntil: number;
}

export type ClaimResult =
  | { readonly claimed: true; readonly attempts: number }
  | { readonly claimed: false; readonly status: FinishStatus };

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
  recordRetry(
    key: FinishKey,
    lease: Lease,
    progress: { readonly lastError: LastError; readonly requestsSent: number; readonly now: Date },
  ): Promise<boolean>;
  /** Leaves IN_FLIGHT; false when the lease was lost to another invocation. */
  settleFinish(key: FinishKey, leaseId: string, settle: SettleFinish): Promise<boolean>;
  getFinish(key: FinishKey): Promise<FinishItem | undefined>;
}

/** The package items: created by the first finish or callback; a final status is never overwritten. */
export interface PackageStore {
  /** Creates the package IN_PROGRESS or touches it; a final package is left as it is. */
  markInProgress(packageId: number, now: Date): Promise<void>;
  getPackage(packageId: number): Promise<PackageItem | undefined>;
}

/** Input that could not be used, kept with its reason so nothing is silently dropped. */
export interface RejectedStore {
  /** Idempotent per id: a redelivered message does not make a second item. */
  putRejected(input: RejectedInput): Promise<void>;
}
