import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ItemLike, n, numberOf, readLastError, s } from './attributes.ts';
import type { ArchivedDocument, ArchiveStatus, LastError } from './items.ts';

/*
 * The archive's attributes of a package item. For consumers: archiveStatus, archivedAt, documents,
 * archiveError. Internal: archiveBucket (where the documents went: the archive events name it),
 * archiveFailedAt (when it last became FAILED: the failed event's `at`), archiveForcedBy (the
 * operator's request that archived it again, so that request is served once).
 */
export const ARCHIVE_ATTRIBUTES = {
  status: 'archiveStatus',
  archivedAt: 'archivedAt',
  documents: 'documents',
  error: 'archiveError',
  bucket: 'archiveBucket',
  failedAt: 'archiveFailedAt',
  forcedBy: 'archiveForcedBy',
} as const;

export const documentValue = (document: ArchivedDocument): AttributeValue => ({
  M: {
    documentId: n(document.documentId),
    name: s(document.name),
    key: s(document.key),
    bytes: n(document.bytes),
    sha256: s(document.sha256),
  },
});

/** The documents list; an entry that is not a whole document is left out. */
export const readDocuments = (item: ItemLike): ArchivedDocument[] =>
  (item[ARCHIVE_ATTRIBUTES.documents]?.L ?? []).flatMap((entry) => {
    const map = entry.M ?? {};
    const documentId = numberOf(map.documentId);
    const bytes = numberOf(map.bytes);
    const name = map.name?.S;
    const key = map.key?.S;
    const sha256 = map.sha256?.S;
    if (documentId === undefined || bytes === undefined) return [];
    if (name === undefined || key === undefined || sha256 === undefined) return [];
    return [{ documentId, name, key, bytes, sha256 }];
  });

export const readArchiveStatus = (item: ItemLike): ArchiveStatus | undefined => {
  const status = item[ARCHIVE_ATTRIBUTES.status]?.S;
  return status === 'ARCHIVED' || status === 'FAILED' ? status : undefined;
};

export const readArchiveError = (item: ItemLike): LastError | undefined =>
  readLastError(item, ARCHIVE_ATTRIBUTES.error);
