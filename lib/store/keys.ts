import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import type { FinishKey } from './items.ts';

/**
 * The one place that builds and reads the table's keys. The default tenant's:
 * `PACKAGE#<id>` + `FINISH#<signer or ->`, `PACKAGE#<id>` + `PACKAGE`, `REJECTED#<id>` + `REJECTED`;
 * another tenant's packages and finishes: `TENANT#<tenant>#PACKAGE#<id>`, with the same sort keys.
 */
const PACKAGE_PREFIX = 'PACKAGE#';
const TENANT_PREFIX = 'TENANT#';
const FINISH_PREFIX = 'FINISH#';
const NO_SIGNER = '-';

export const PACKAGE_SORT_KEY = 'PACKAGE';
const REJECTED_SORT_KEY = 'REJECTED';

export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/** A package as the table knows it: the same id in two tenants is two packages. */
export interface PackageRef {
  readonly tenant: string;
  readonly packageId: number;
}

const partitionOf = (packageId: number, tenant: string): string =>
  tenant === DEFAULT_TENANT
    ? `${PACKAGE_PREFIX}${packageId}`
    : `${TENANT_PREFIX}${tenant}#${PACKAGE_PREFIX}${packageId}`;

export const packageKey = (packageId: number, tenant: string = DEFAULT_TENANT): TableKey => ({
  pk: partitionOf(packageId, tenant),
  sk: PACKAGE_SORT_KEY,
});

export const finishKey = (
  { packageId, signer }: FinishKey,
  tenant: string = DEFAULT_TENANT,
): TableKey => ({
  pk: partitionOf(packageId, tenant),
  sk: `${FINISH_PREFIX}${signer ?? NO_SIGNER}`,
});

export const rejectedKey = (id: string): TableKey => ({
  pk: `REJECTED#${id}`,
  sk: REJECTED_SORT_KEY,
});

const PARTITION = /^(?:TENANT#([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)#)?PACKAGE#([1-9][0-9]*)$/;

/** The package a partition key stands for, of whichever tenant; undefined for any other key. */
export const packageRefOf = (pk: string | undefined): PackageRef | undefined => {
  const match = pk === undefined ? null : PARTITION.exec(pk);
  if (match === null) return undefined;
  const [, tenant, digits] = match;
  const packageId = Number(digits);
  // `TENANT#default#…` is not a key this project writes: the default tenant's have no prefix.
  if (!Number.isSafeInteger(packageId) || tenant === DEFAULT_TENANT) return undefined;
  return { tenant: tenant ?? DEFAULT_TENANT, packageId };
};

/** The open-packages index's partition for a tenant's packages that are still IN_PROGRESS. */
export const openPartition = (tenant: string): string =>
  tenant === DEFAULT_TENANT ? 'IN_PROGRESS' : `IN_PROGRESS#${tenant}`;

/**
 * Every tenant other than `default` that has ever had a package here, one item each in one
 * partition, so the reconciler finds each tenant's open packages without a scan.
 */
export const TENANTS_PARTITION = 'TENANTS';
export const tenantKey = (tenant: string): TableKey => ({
  pk: TENANTS_PARTITION,
  sk: `${TENANT_PREFIX}${tenant}`,
});
export const tenantOfKey = (sk: string | undefined): string | undefined =>
  sk?.startsWith(TENANT_PREFIX) ? sk.slice(TENANT_PREFIX.length) : undefined;

/** The default tenant's package id in a partition key; undefined for another tenant's or any other key. */
export const packageIdOf = (pk: string | undefined): number | undefined => {
  const ref = packageRefOf(pk);
  return ref?.tenant === DEFAULT_TENANT ? ref.packageId : undefined;
};
