import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import { isStringKey, keyOf, n, s, str } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import { packageItemOf } from './item-parsing.ts';
import { isFinalPackageStatus, OPEN_PACKAGES_INDEX, type PackageItem } from './items.ts';
import { openPartition, packageKey, packageRefOf } from './keys.ts';
import type {
  Confirmation,
  ConfirmationResult,
  PackageStore,
  StalePage,
  TenantRegistry,
} from './ports.ts';

/** Writes only a package that is new or still open: a final status is never overwritten. */
const WHILE_OPEN = 'attribute_not_exists(pk) OR #status = :inProgress';

/** Every write of a package item: creates it if new and says when it last changed. */
const UPSERT = [
  'updatedAt = :now',
  'createdAt = if_not_exists(createdAt, :now)',
  'packageId = :packageId',
];
/** A tenant's package also says whose it is. */
const TENANT_UPSERT = [...UPSERT, 'tenant = :tenant'];

/**
 * One tenant's package items: created by the first finish or callback; a final status stays. A
 * package still open is in the index of open packages, in its tenant's partition of it.
 */
export class DynamoDbPackageStore implements PackageStore {
  readonly #table: DynamoDbTable;
  readonly #tenant: string;
  readonly #registry: TenantRegistry | undefined;
  readonly #upsert: readonly string[];
  readonly #open: readonly string[];
  /** The finish's write of the package, built once (one per finish). */
  readonly #markInProgress: string;

  /** `registry`: where a tenant other than `default` is recorded before its first package. */
  constructor(table: DynamoDbTable, tenant: string = DEFAULT_TENANT, registry?: TenantRegistry) {
    this.#table = table;
    this.#tenant = tenant;
    this.#registry = tenant === DEFAULT_TENANT ? undefined : registry;
    this.#upsert = tenant === DEFAULT_TENANT ? UPSERT : TENANT_UPSERT;
    this.#open = ['#status = :inProgress', 'openStatus = :open', ...this.#upsert];
    this.#markInProgress = `SET ${[...this.#open, 'callbacks = if_not_exists(callbacks, :zero)'].join(', ')}`;
  }

  #key(packageId: number) {
    return keyOf(packageKey(packageId, this.#tenant));
  }

  #values(packageId: number, now: Date): Record<string, AttributeValue> {
    return {
      ':inProgress': s('IN_PROGRESS'),
      ':now': s(now.toISOString()),
      ':packageId': n(packageId),
      ...(this.#tenant === DEFAULT_TENANT ? {} : { ':tenant': s(this.#tenant) }),
    };
  }

  /** Before a write that may create a package: the reconciler must be able to find its tenant. */
  async #registered(): Promise<void> {
    await this.#registry?.register(this.#tenant);
  }

  async markInProgress(packageId: number, now: Date): Promise<void> {
    await this.#registered();
    await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: WHILE_OPEN,
      UpdateExpression: this.#markInProgress,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...this.#values(packageId, now),
        ...this.#openValue(),
        ':zero': n(0),
      },
    });
  }

  #openValue(): Record<string, AttributeValue> {
    return { ':open': s(openPartition(this.#tenant)) };
  }

  async recordCallback(packageId: number, now: Date): Promise<PackageItem> {
    await this.#registered();
    const counted = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: WHILE_OPEN,
      UpdateExpression: `SET ${[...this.#open, 'lastCallbackAt = :now'].join(', ')} ADD callbacks :one`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...this.#values(packageId, now),
        ...this.#openValue(),
        ':one': n(1),
      },
      ReturnValues: 'ALL_NEW',
    });
    if (counted.written) return packageItemOf(packageId, counted.item);
    // Final already: count the callback, leave the status and its place outside the index alone.
    const final = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: 'SET lastCallbackAt = :now ADD callbacks :one',
      ExpressionAttributeValues: { ':now': s(now.toISOString()), ':one': n(1) },
      ReturnValues: 'ALL_NEW',
    });
    return packageItemOf(packageId, final.written ? final.item : {});
  }

  async recordConfirmation(
    packageId: number,
    confirmation: Confirmation,
    now: Date,
  ): Promise<ConfirmationResult> {
    const final = isFinalPackageStatus(confirmation.status);
    const sets = [
      '#status = :status',
      ...this.#upsert,
      'callbacks = if_not_exists(callbacks, :zero)',
      final ? 'completedAt = :now' : 'openStatus = :open',
    ];
    const values: Record<string, AttributeValue> = {
      ...this.#values(packageId, now),
      ...(final ? {} : this.#openValue()),
      ':status': s(confirmation.status),
      ':zero': n(0),
    };
    if (confirmation.workflowStatus !== undefined) {
      sets.push('workflowStatus = :workflowStatus');
      values[':workflowStatus'] = s(confirmation.workflowStatus);
    }
    await this.#registered();
    const written = await this.#table.update({
      Key: this.#key(packageId),
      ConditionExpression: WHILE_OPEN,
      UpdateExpression: `SET ${sets.join(', ')}${final ? ' REMOVE openStatus' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
    if (written.written) return { status: confirmation.status, becameFinal: final };
    const current = await this.getPackage(packageId);
    return { status: current?.status ?? confirmation.status, becameFinal: false };
  }

  async listStalePackages(before: Date, limit: number, cursor?: string): Promise<StalePage> {
    const start: unknown = cursor === undefined ? undefined : JSON.parse(cursor);
    const page = await this.#table.query({
      IndexName: OPEN_PACKAGES_INDEX,
      KeyConditionExpression: 'openStatus = :open AND updatedAt < :before',
      ExpressionAttributeValues: { ...this.#openValue(), ':before': s(before.toISOString()) },
      Limit: limit,
      ...(isStringKey(start) ? { ExclusiveStartKey: start } : {}),
    });
    const packageIds = (page.Items ?? []).flatMap((item) => {
      const ref = packageRefOf(str(item, 'pk'));
      return ref?.tenant === this.#tenant ? [ref.packageId] : [];
    });
    return {
      packageIds,
      next: page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined,
    };
  }

  async getPackage(packageId: number): Promise<PackageItem | undefined> {
    const item = await this.#table.get(packageKey(packageId, this.#tenant));
    return item ? packageItemOf(packageId, item) : undefined;
  }
}
