import type { FinishKey } from './items.ts';

/**
 * The one place that builds and reads the table's keys:
 * `PACKAGE#<id>` + `FINISH#<signer or ->`, `PACKAGE#<id>` + `PACKAGE`, `REJECTED#<id>` + `REJECTED`.
 */
const PACKAGE_PREFIX = 'PACKAGE#';
const FINISH_PREFIX = 'FINISH#';
const NO_SIGNER = '-';

export const PACKAGE_SORT_KEY = 'PACKAGE';
const REJECTED_SORT_KEY = 'REJECTED';

export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

export const packageKey = (packageId: number): TableKey => ({
  pk: `${PACKAGE_PREFIX}${packageId}`,
  sk: PACKAGE_SORT_KEY,
});

export const finishKey = ({ packageId, signer }: FinishKey): TableKey => ({
  pk: `${PACKAGE_PREFIX}${packageId}`,
  sk: `${FINISH_PREFIX}${signer ?? NO_SIGNER}`,
});

export const rejectedKey = (id: string): TableKey => ({
  pk: `REJECTED#${id}`,
  sk: REJECTED_SORT_KEY,
});

/** The package id in a `PACKAGE#<id>` partition key; undefined for any other key. */
export const packageIdOf = (pk: string | undefined): number | undefined => {
  if (!pk?.startsWith(PACKAGE_PREFIX)) return undefined;
  const digits = pk.slice(PACKAGE_PREFIX.length);
  const id = Number(digits);
  return /^[1-9][0-9]*$/.test(digits) && Number.isSafeInteger(id) ? id : undefined;
};
