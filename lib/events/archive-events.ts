import {
  ARCHIVE_ATTRIBUTES as A,
  readArchiveError,
  readArchiveStatus,
  readDocuments,
} from '../store/archive-attributes.ts';
import { PACKAGE_SORT_KEY, packageRefOf } from '../store/keys.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import type { ChangeRecord, StackEvent } from './completion-events.ts';

/**
 * The archive event a change stands for: a package item whose archive became ARCHIVED (or was
 * archived again: a new `archivedAt`) or FAILED (again: a new `archiveFailedAt`) in that very write.
 * Any other write of an archived package (a document recorded, a later callback) sends nothing.
 */
export const archiveEventOf = (record: ChangeRecord): StackEvent | undefined => {
  const next = record.dynamodb?.NewImage;
  if (record.eventName === 'REMOVE' || !next || next.sk?.S !== PACKAGE_SORT_KEY) return undefined;
  const status = readArchiveStatus(next);
  if (status === undefined) return undefined;
  const ref = packageRefOf(next.pk?.S);
  if (ref === undefined) return undefined;
  const old = record.dynamodb?.OldImage ?? {};
  const when = status === 'ARCHIVED' ? A.archivedAt : A.failedAt;
  const at = next[when]?.S ?? '';
  if (readArchiveStatus(old) === status && (old[when]?.S ?? '') === at) return undefined;
  const { packageId, tenant } = ref;
  const whose = tenant === DEFAULT_TENANT ? { packageId } : { packageId, tenant };
  if (status === 'FAILED') {
    const error = readArchiveError(next) ?? { message: '' };
    return { detailType: 'SigningPackageArchiveFailed', detail: { ...whose, error, at } };
  }
  const bucket = next[A.bucket]?.S ?? '';
  return {
    detailType: 'SigningPackageArchived',
    detail: { ...whose, bucket, documents: readDocuments(next), at },
  };
};
