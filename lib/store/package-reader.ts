import type { FinishItem, PackageArchive, PackageItem } from './items.ts';
import type { PackageRef } from './keys.ts';

/**
 * What a package item records of its archive (archiveStatus, archivedAt, documents,
 * archiveError): no archiveStatus until it is ARCHIVED or FAILED, documents stored so far.
 */
export type ArchiveRecord = Omit<PackageArchive, 'packageId' | 'status'>;

/** One package's items: its package item, if made yet, and its finish items. */
export interface PackageRecords {
  /** Whose package it is: the same id in two tenants is two packages. */
  readonly tenant: string;
  readonly packageId: number;
  /** Made by the package's first successful finish or callback. */
  readonly package: PackageItem | undefined;
  /** Oldest first. */
  readonly finishes: readonly FinishItem[];
  /** What its package item records of its archive; none without a package item. */
  readonly archive?: ArchiveRecord | undefined;
}

/** What an operator reads of the table (npm run status); nothing here writes. */
export interface PackageReader {
  /** A tenant's package's items, read strongly consistent; no items at all for one the table lacks. */
  readPackage(packageId: number, tenant: string): Promise<PackageRecords>;
  /**
   * Every tenant's open (IN_PROGRESS) packages, most recently changed first: each tenant's
   * partition of their index, the tenants other than `default` from the table's registry.
   */
  openPackages(): Promise<PackageRef[]>;
  /** Every package of every tenant with its items: a Scan, for a small table such as the local one. */
  allPackages(): Promise<PackageRecords[]>;
}
