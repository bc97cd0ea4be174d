import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type FinishItem,
  type FinishKey,
  type FinishStatus,
  finishSortKey,
  isFinalPackageStatus,
  type LastError,
  OPEN_PACKAGES_INDEX,
  PACKAGE_SORT_KEY,
  type PackageItem,
  type PackageStatus,
  packageKey,
  REJECTED_SORT_KEY,
  type RejectedInput,
  rejectedKey,
} from './items.ts';
import type {
  ClaimResult,
  Confirmation,
  ConfirmationResult,
  FinishStore,
  Lease,
  PackageStore,
  RejectedStore,
  SettleFinish,
  StalePage,
} from './ports.ts';
import { truncateUtf8 } from './truncate-utf8.ts';

type Item = Record<string, AttributeValue>;

const MAX_RAW_BYTES = 64 * 1024;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

const lastErrorValue = (error: LastError): AttributeValue => ({
  M: {
    message: s(error.message),
    ...(error.httpStatus === undefined ? {} : { httpStatus: n(error.httpStatus) }),
  },
});

const str = (item: Item, name: string): string | undefined => item[name]?.S;
const num = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
};

const readLastError = (item: Item): LastError | undefined => {
  const map = item.lastError?.M;
  if (!map) return undefined;
  const httpStatus = num(map, 'httpStatus');
  const message = str(map, 'message') ?? '';
  return httpStatus === undefined ? { message } : { httpStatus, message };
};

const readPackage = (packageId: number, item: Item): PackageItem => ({
  packageId,
  status: (str(item, 'status') ?? 'IN_PROGRESS') as PackageStatus,
  workflowStatus: str(item, 'workflowStatus'),
  callbacks: num(item, 'callbacks') ?? 0,
  lastCallbackAt: str(item, 'lastCallbackAt'),
  completedAt: str(item, 'completedAt'),
  updatedAt: str(item, 'updatedAt') ?? '',
});

/** Thrown by a write whose condition failed, so callers can tell "lost the race" from a fault. */
const conditionFailed = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException;

/** The one table, as FinishStore, PackageStore and RejectedStore. */
export class DynamoDbStore implements FinishStore, PackageStore, RejectedStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async claimFinish(key: FinishKey, lease: Lease, now: Date): Promise<ClaimResult> {
    const at = now.toISOString();
    try {
      const result = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: this.#finishKey(key),
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :retrying OR (#status = :inFlight AND leaseUntil < :nowMs)',
          UpdateExpression:
            'SET #status = :inFlight, leaseId = :leaseId, leaseUntil = :leaseUntil, updatedAt = :now, ' +
            'createdAt = if_not_exists(createdAt, :now), attempts = if_not_exists(attempts, :zero), ' +
            'packageId = :packageId, signerEmail = :signer',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':retrying': s('RETRYING'),
            ':inFlight': s('IN_FLIGHT'),
            ':nowMs': n(now.getTime()),
            ':leaseId': s(lease.leaseId),
            ':leaseUntil': n(lease.leaseUntil),
            ':now': s(at),
            ':packageId': n(key.packageId),
            ':signer': s(key.signer ?? '-'),
            ':zero': n(0),
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, attempts: num(result.Attributes ?? {}, 'attempts') ?? 0 };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const status = (error.Item?.status?.S ?? 'IN_FLIGHT') as FinishStatus;
      return { claimed: false, status };
    }
  }

  async recordRetry(
    key: FinishKey,
    lease: Lease,
    { lastError, requestsSent, now }: { lastError: LastError; requestsSent: number; now: Date },
  ): Promise<boolean> {
    return this.#conditional(
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: this.#finishKey(key),
          ConditionExpression: 'leaseId = :leaseId AND #status = :inFlight',
          UpdateExpression:
            'SET leaseUntil = :leaseUntil, lastError = :lastError, updatedAt = :now ADD attempts :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':leaseId': s(lease.leaseId),
            ':inFlight': s('IN_FLIGHT'),
            ':leaseUntil': n(lease.leaseUntil),
            ':lastError': lastErrorValue(lastError),
            ':now': s(now.toISOString()),
            ':sent': n(requestsSent),
          },
        }),
      ),
    );
  }

  async settleFinish(key: FinishKey, leaseId: string, settle: SettleFinish): Promise<boolean> {
    const at = settle.now.toISOString();
    const sets = ['#status = :status', 'updatedAt = :now'];
    const values: Item = {
      ':status': s(settle.status),
      ':now': s(at),
      ':leaseId': s(leaseId),
      ':inFlight': s('IN_FLIGHT'),
      ':sent': n(settle.requestsSent),
    };
    if (settle.status !== 'RETRYING') sets.push('finishedAt = :now');
    if (settle.lastError) {
      sets.push('lastError = :lastError');
      values[':lastError'] = lastErrorValue(settle.lastError);
    }
    return this.#conditional(
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: this.#finishKey(key),
          ConditionExpression: 'leaseId = :leaseId AND #status = :inFlight',
          UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseId, leaseUntil ADD attempts :sent`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async getFinish(key: FinishKey): Promise<FinishItem | undefined> {
    const item = await this.#get(this.#finishKey(key));
    if (!item) return undefined;
    return {
      packageId: key.packageId,
      signer: key.signer,
      status: str(item, 'status') as FinishStatus,
      attempts: num(item, 'attempts') ?? 0,
      lastError: readLastError(item),
      createdAt: str(item, 'createdAt') ?? '',
      updatedAt: str(item, 'updatedAt') ?? '',
      finishedAt: str(item, 'finishedAt'),
    };
  }

  async markInProgress(packageId: number, now: Date): Promise<void> {
    await this.#conditional(
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: this.#packageKey(packageId),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :inProgress',
          UpdateExpression:
            'SET #status = :inProgress, openStatus = :inProgress, updatedAt = :now, ' +
            'createdAt = if_not_exists(createdAt, :now), packageId = :packageId, ' +
            'callbacks = if_not_exists(callbacks, :zero)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': s('IN_PROGRESS'),
            ':now': s(now.toISOString()),
            ':packageId': n(packageId),
            ':zero': n(0),
          },
        }),
      ),
    );
  }

  async recordCallback(packageId: number, now: Date): Promise<PackageItem> {
    const at = now.toISOString();
    const target = {
      TableName: this.#tableName,
      Key: this.#packageKey(packageId),
      ReturnValues: 'ALL_NEW' as const,
    };
    try {
      const { Attributes: item = {} } = await this.#client.send(
        new UpdateItemCommand({
          ...target,
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :inProgress',
          UpdateExpression:
            'SET #status = :inProgress, openStatus = :inProgress, lastCallbackAt = :now, ' +
            'updatedAt = :now, createdAt = if_not_exists(createdAt, :now), packageId = :packageId ' +
            'ADD callbacks :one',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': s('IN_PROGRESS'),
            ':now': s(at),
            ':packageId': n(packageId),
            ':one': n(1),
          },
        }),
      );
      return readPackage(packageId, item);
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    // Final already: count the callback, leave the status and its place outside the index alone.
    const { Attributes: item = {} } = await this.#client.send(
      new UpdateItemCommand({
        ...target,
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'SET lastCallbackAt = :now ADD callbacks :one',
        ExpressionAttributeValues: { ':now': s(at), ':one': n(1) },
      }),
    );
    return readPackage(packageId, item);
  }

  async recordConfirmation(
    packageId: number,
    confirmation: Confirmation,
    now: Date,
  ): Promise<ConfirmationResult> {
    const final = isFinalPackageStatus(confirmation.status);
    const values: Item = {
      ':inProgress': s('IN_PROGRESS'),
      ':status': s(confirmation.status),
      ':now': s(now.toISOString()),
      ':packageId': n(packageId),
      ':zero': n(0),
    };
    const sets = [
      '#status = :status',
      'updatedAt = :now',
      'createdAt = if_not_exists(createdAt, :now)',
      'packageId = :packageId',
      'callbacks = if_not_exists(callbacks, :zero)',
    ];
    if (confirmation.workflowStatus !== undefined) {
      sets.push('workflowStatus = :workflowStatus');
      values[':workflowStatus'] = s(confirmation.workflowStatus);
    }
    if (final) sets.push('completedAt = :now');
    else sets.push('openStatus = :inProgress');
    const written = await this.#conditional(
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: this.#packageKey(packageId),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :inProgress',
          UpdateExpression: `SET ${sets.join(', ')}${final ? ' REMOVE openStatus' : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (written) return { status: confirmation.status, becameFinal: final };
    const current = await this.getPackage(packageId);
    return { status: current?.status ?? confirmation.status, becameFinal: false };
  }

  async listStalePackages(before: Date, limit: number, cursor?: string): Promise<StalePage> {
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: OPEN_PACKAGES_INDEX,
        KeyConditionExpression: 'openStatus = :inProgress AND updatedAt < :before',
        ExpressionAttributeValues: {
          ':inProgress': s('IN_PROGRESS'),
          ':before': s(before.toISOString()),
        },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: JSON.parse(cursor) as Item } : {}),
      }),
    );
    const packageIds = (page.Items ?? []).flatMap((item) => {
      const id = Number(str(item, 'pk')?.slice('PACKAGE#'.length));
      return Number.isSafeInteger(id) && id > 0 ? [id] : [];
    });
    return {
      packageIds,
      next: page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined,
    };
  }

  async getPackage(packageId: number): Promise<PackageItem | undefined> {
    const item = await this.#get(this.#packageKey(packageId));
    return item ? readPackage(packageId, item) : undefined;
  }

  async putRejected(input: RejectedInput): Promise<void> {
    const raw = truncateUtf8(input.raw, MAX_RAW_BYTES);
    await this.#conditional(
      this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: s(rejectedKey(input.id)),
            sk: s(REJECTED_SORT_KEY),
            source: s(input.source),
            reason: s(input.reason),
            raw: s(raw.text),
            rawBytes: n(raw.originalBytes),
            ...(raw.truncated ? { rawTruncated: { BOOL: true } } : {}),
            receivedAt: s(input.receivedAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async #get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    return item;
  }

  #packageKey(packageId: number): Item {
    return { pk: s(packageKey(packageId)), sk: s(PACKAGE_SORT_KEY) };
  }

  #finishKey(key: FinishKey): Item {
    return { pk: s(packageKey(key.packageId)), sk: s(finishSortKey(key.signer)) };
  }

  /** Sends a conditional write; false when its condition did not hold. */
  async #conditional(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}
