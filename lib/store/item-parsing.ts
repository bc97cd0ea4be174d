import {
  type Item,
  isFinishStatus,
  isPackageStatus,
  num,
  readLastError,
  str,
} from './attributes.ts';
import type { FinishItem, FinishKey, PackageItem } from './items.ts';
import { finishKey } from './keys.ts';

/** A package item read back: a missing status reads IN_PROGRESS, missing counts 0. */
export const packageItemOf = (packageId: number, item: Item): PackageItem => {
  const status = str(item, 'status');
  return {
    packageId,
    status: isPackageStatus(status) ? status : 'IN_PROGRESS',
    workflowStatus: str(item, 'workflowStatus'),
    callbacks: num(item, 'callbacks') ?? 0,
    lastCallbackAt: str(item, 'lastCallbackAt'),
    completedAt: str(item, 'completedAt'),
    updatedAt: str(item, 'updatedAt') ?? '',
  };
};

/** A finish item read back: a missing status reads IN_FLIGHT (held until its lease ends). */
export const finishItemOf = (key: FinishKey, item: Item): FinishItem => {
  const status = str(item, 'status');
  return {
    ...key,
    status: isFinishStatus(status) ? status : 'IN_FLIGHT',
    attempts: num(item, 'attempts') ?? 0,
    lastError: readLastError(item),
    createdAt: str(item, 'createdAt') ?? '',
    updatedAt: str(item, 'updatedAt') ?? '',
    finishedAt: str(item, 'finishedAt'),
  };
};

/**
 * The finish a sort key in a package's partition stands for, recognised by building it again
 * with keys.ts (the one place that knows the format); undefined for any other item.
 */
export const finishKeyIn = (packageId: number, sortKey: string): FinishKey | undefined => {
  const account: FinishKey = { packageId, signer: undefined };
  if (finishKey(account).sk === sortKey) return account;
  const prefix = finishKey({ packageId, signer: '' }).sk;
  if (!sortKey.startsWith(prefix) || sortKey === prefix) return undefined;
  return { packageId, signer: sortKey.slice(prefix.length) };
};
