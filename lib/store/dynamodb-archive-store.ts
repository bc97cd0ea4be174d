import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import {
  ARCHIVE_ATTRIBUTES as A,
  documentValue,
  readArchiveError,
  readArchiveStatus,
  readDocuments,
} from './archive-attributes.ts';
import { isPackageStatus, keyOf, lastErrorValue, n, s, str } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import type { ArchivedDocument, LastError, PackageArchive } from './items.ts';
import { packageKey } from './keys.ts';
import type { ArchiveStore } from './ports.ts';

/** A package whose documents may be archived: COMPLETED, and not ARCHIVED yet. */
const ARCHIVABLE = `#status = :completed AND (attribute_not_exists(${A.status}) OR ${A.status} <> :archived)`;

/** The documents list holds exactly :recorded entries (no list at all: none). */
const holding = (recorded: number): string =>
  recorded === 0
    ? `(attribute_not_exists(${A.documents}) OR size(${A.documents}) = :recorded)`
    : `size(${A.documents}) = :recorded`;

/** One tenant's package items, as the archive reads and records them. */
export class DynamoDbArchiveStore implements ArchiveStore {
  readonly #table: DynamoDbTable;
  readonly #tenant: string;

  constructor(table: DynamoDbTable, tenant: string = DEFAULT_TENANT) {
    this.#table = table;
    this.#tenant = tenant;
  }

  #key(packageId: number) {
    return keyOf(packageKey(packageId, this.#tenant));
  }

  async getArchive(packageId: number): Promise<PackageArchive | undefined> {
    const item = await this.#table.get(packageKey(packageId, this.#tenant));
    if (item === undefined) return undefined;
    const status = str(item, 'status');
    return {
      packageId,
      status: isPackageStatus(status) ? status : 'IN_PROGRESS',
      archiveStatus: readArchiveStatus(item),
      archivedAt: str(item, A.archivedAt),
      documents: readDocuments(item),
      archiveError: readArchiveError(item),
    };
  }

  async restartArchive(packageId: number, requestId: string): Promise<boolean> {
    const { written } = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: `${A.status} = :archived AND (attribute_not_exists(${A.forcedBy}) OR ${A.forcedBy} <> :request)`,
      UpdateExpression: `SET ${A.documents} = :none, ${A.forcedBy} = :request REMOVE ${A.status}, ${A.archivedAt}, ${A.error}`,
      ExpressionAttributeValues: {
        ':archived': s('ARCHIVED'),
        ':request': s(requestId),
        ':none': { L: [] },
      },
    });
    return written;
  }

  async addDocument(
    packageId: number,
    document: ArchivedDocument,
    recorded: number,
    bucket: string,
  ): Promise<boolean> {
    const { written } = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: `${ARCHIVABLE} AND ${holding(recorded)}`,
      UpdateExpression: `SET ${A.documents} = list_append(if_not_exists(${A.documents}, :none), :document), ${A.bucket} = :bucket`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...this.#archivable(),
        ':recorded': n(recorded),
        ':none': { L: [] },
        ':document': { L: [documentValue(document)] },
        ':bucket': s(bucket),
      },
    });
    return written;
  }

  async markArchived(
    packageId: number,
    recorded: number,
    bucket: string,
    now: Date,
  ): Promise<boolean> {
    const { written } = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: `${ARCHIVABLE} AND ${holding(recorded)}`,
      UpdateExpression: `SET ${A.status} = :archived, ${A.archivedAt} = :now, ${A.bucket} = :bucket, ${A.documents} = if_not_exists(${A.documents}, :none) REMOVE ${A.error}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...this.#archivable(),
        ':recorded': n(recorded),
        ':now': s(now.toISOString()),
        ':bucket': s(bucket),
        ':none': { L: [] },
      },
    });
    return written;
  }

  async markFailed(packageId: number, error: LastError, now: Date): Promise<boolean> {
    const { written } = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: ARCHIVABLE,
      UpdateExpression: `SET ${A.status} = :failed, ${A.error} = :error, ${A.failedAt} = :now`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...this.#archivable(),
        ':failed': s('FAILED'),
        ':error': lastErrorValue(error),
        ':now': s(now.toISOString()),
      },
    });
    return written;
  }

  #archivable(): Record<string, AttributeValue> {
    return { ':completed': s('COMPLETED'), ':archived': s('ARCHIVED') };
  }
}
