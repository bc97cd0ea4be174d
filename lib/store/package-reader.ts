import type { FinishItem, PackageItem } from './items.ts';

/** One package's items: its package item, if made yet, and its finish items. */
export interface PackageRecords {
  readonly packageId: number;
  /** Made by the package's first successful finish or callback. */
  readonly package: PackageItem | undefined;
  /** Oldest first. */
  readonly finishes: readonly FinishItem[];
}

/** What an operator reads of the table (npm run status); nothing here writes. */
export interface PackageReader {
  /** A package's items, read strongly consistent; no items at all for an id the table lacks. */
  readPackage(packageId: number): Promise<PackageRecords>;
  /** The open (IN_PROGRESS) packages' ids, most recently changed first, from their index. */
  openPackageIds(): Promise<number[]>;
  /** Every package in the table with its items: a Scan, for a small table such as the local one. */
  allPackages(): Promise<PackageRecords[]>;
}
