import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isStringKey, keyOf, n, s, str } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import { packageItemOf } from './item-parsing.ts';
import { isFinalPackageStatus, OPEN_PACKAGES_INDEX, type PackageItem } from './items.ts';
import { packageIdOf, packageKey } from './keys.ts';
import type { Confirmation, ConfirmationResult, PackageStore, StalePage } from './ports.ts';

/** Writes only a package that is new or still open: a final status is never overwritten. */
const WHILE_OPEN = 'attribute_not_exists(pk) OR #status = :inProgress';

/** Every write of a package item: creates it if new and says when it last changed. */
const UPSERT = [
  'updatedAt = :now',
  'createdAt = if_not_exists(createdAt, :now)',
  'packageId = :packageId',
];
/** A package that is (still) open: IN_PROGRESS, and in the index of open packages. */
const OPEN = ['#status = :inProgress', 'openStatus = :inProgress', ...UPSERT];

const upsertValues = (packageId: number, now: Date): Record<string, AttributeValue> => ({
  ':inProgress': s('IN_PROGRESS'),
  ':now': s(now.toISOString()),
  ':packageId': n(packageId),
});

/** The package items: created by the first finish or callback; a final status stays. */
export class DynamoDbPackageStore implements PackageStore {
  readonly #table: DynamoDbTable;

  constructor(table: DynamoDbTable) {
    this.#table = table;
  }

  async markInProgress(packageId: number, now: Date): Promise<void> {
    await this.#table.update({
      Key: keyOf(packageKey(packageId)),
      ConditionExpression: WHILE_OPEN,
      UpdateExpression: `SET ${[...OPEN, 'callbacks = if_not_exists(callbacks, :zero)'].join(', ')}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...upsertValues(packageId, now), ':zero': n(0) },
    });
  }

  async recordCallback(packageId: number, now: Date): Promise<PackageItem> {
    const counted = await this.#table.update({
      Key: keyOf(packageKey(packageId)),
      ConditionExpression: WHILE_OPEN,
      UpdateExpression: `SET ${[...OPEN, 'lastCallbackAt = :now'].join(', ')} ADD callbacks :one`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...upsertValues(packageId, now), ':one': n(1) },
      ReturnValues: 'ALL_NEW',
    });
    if (counted.written) return packageItemOf(packageId, counted.item);
    // Final already: count the callback, leave the status and its place outside the index alone.
    const final = await this.#table.update({
      Key: keyOf(packageKey(packageId)),
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
      ...UPSERT,
      'callbacks = if_not_exists(callbacks, :zero)',
      final ? 'completedAt = :now' : 'openStatus = :inProgress',
    ];
    const values: Record<string, AttributeValue> = {
      ...upsertValues(packageId, now),
      ':status': s(confirmation.status),
      ':zero': n(0),
    };
    if (confirmation.workflowStatus !== undefined) {
      sets.push('workflowStatus = :workflowStatus');
      values[':workflowStatus'] = s(confirmation.workflowStatus);
    }
    const written = await this.#table.update({
      Key: keyOf(packageKey(packageId)),
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
      KeyConditionExpression: 'openStatus = :inProgress AND updatedAt < :before',
      ExpressionAttributeValues: {
        ':inProgress': s('IN_PROGRESS'),
        ':before': s(before.toISOString()),
      },
      Limit: limit,
      ...(isStringKey(start) ? { ExclusiveStartKey: start } : {}),
    });
    const packageIds = (page.Items ?? []).flatMap((item) => packageIdOf(str(item, 'pk')) ?? []);
    return {
      packageIds,
      next: page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined,
    };
  }

  async getPackage(packageId: number): Promise<PackageItem | undefined> {
    const item = await this.#table.get(packageKey(packageId));
    return item ? packageItemOf(packageId, item) : undefined;
  }
}
