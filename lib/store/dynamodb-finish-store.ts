import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import { isFinishStatus, keyOf, lastErrorValue, n, s } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import { finishItemOf } from './item-parsing.ts';
import type { FinishItem, FinishKey } from './items.ts';
import { finishKey } from './keys.ts';
import type { ClaimResult, FinishStore, Lease, RetryProgress, SettleFinish } from './ports.ts';

const CLAIM_CONDITION =
  'attribute_not_exists(pk) OR #status = :retrying OR (#status = :inFlight AND leaseUntil < :nowMs)';
const CLAIM_UPDATE =
  'SET #status = :inFlight, leaseId = :leaseId, leaseUntil = :leaseUntil, updatedAt = :now, ' +
  'createdAt = if_not_exists(createdAt, :now), attempts = if_not_exists(attempts, :zero), ' +
  'packageId = :packageId, signerEmail = :signer';
const HELD = 'leaseId = :leaseId AND #status = :inFlight';
const STATUS_NAME = { '#status': 'status' } as const;

/**
 * The settle's update for each case, written once: a final status also sets `finishedAt`, and a
 * settle with an error sets `lastError`.
 */
const settleUpdate = (final: boolean, withError: boolean): string =>
  `SET ${['#status = :status', 'updatedAt = :now', ...(final ? ['finishedAt = :now'] : []), ...(withError ? ['lastError = :lastError'] : [])].join(', ')} REMOVE leaseId, leaseUntil ADD attempts :sent`;
const SETTLE_UPDATES = [
  [settleUpdate(false, false), settleUpdate(false, true)],
  [settleUpdate(true, false), settleUpdate(true, true)],
] as const;

/**
 * One tenant's finish items, moved only by conditional writes on the lease. The expressions are
 * constant strings, built once (a finish makes two of these writes).
 */
export class DynamoDbFinishStore implements FinishStore {
  readonly #table: DynamoDbTable;
  readonly #tenant: string;
  readonly #claimUpdate: string;

  constructor(table: DynamoDbTable, tenant: string = DEFAULT_TENANT) {
    this.#table = table;
    this.#tenant = tenant;
    this.#claimUpdate =
      tenant === DEFAULT_TENANT ? CLAIM_UPDATE : `${CLAIM_UPDATE}, tenant = :tenant`;
  }

  async claimFinish(key: FinishKey, lease: Lease, now: Date): Promise<ClaimResult> {
    const at = now.toISOString();
    const result = await this.#table.update({
      Key: keyOf(finishKey(key, this.#tenant)),
      ConditionExpression: CLAIM_CONDITION,
      UpdateExpression: this.#claimUpdate,
      ExpressionAttributeNames: STATUS_NAME,
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
        ...(this.#tenant === DEFAULT_TENANT ? {} : { ':tenant': s(this.#tenant) }),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    if (result.written) return { claimed: true };
    const status = result.found?.status?.S;
    return { claimed: false, status: isFinishStatus(status) ? status : 'IN_FLIGHT' };
  }

  async recordRetry(
    key: FinishKey,
    lease: Lease,
    { lastError, requestsSent, now }: RetryProgress,
  ): Promise<boolean> {
    const result = await this.#table.update({
      Key: keyOf(finishKey(key, this.#tenant)),
      ConditionExpression: HELD,
      UpdateExpression:
        'SET leaseUntil = :leaseUntil, lastError = :lastError, updatedAt = :now ADD attempts :sent',
      ExpressionAttributeNames: STATUS_NAME,
      ExpressionAttributeValues: {
        ':leaseId': s(lease.leaseId),
        ':inFlight': s('IN_FLIGHT'),
        ':leaseUntil': n(lease.leaseUntil),
        ':lastError': lastErrorValue(lastError),
        ':now': s(now.toISOString()),
        ':sent': n(requestsSent),
      },
    });
    return result.written;
  }

  async settleFinish(key: FinishKey, leaseId: string, settle: SettleFinish): Promise<boolean> {
    const values = {
      ':status': s(settle.status),
      ':now': s(settle.now.toISOString()),
      ':leaseId': s(leaseId),
      ':inFlight': s('IN_FLIGHT'),
      ':sent': n(settle.requestsSent),
      ...(settle.lastError ? { ':lastError': lastErrorValue(settle.lastError) } : {}),
    };
    const final = settle.status === 'RETRYING' ? 0 : 1;
    const result = await this.#table.update({
      Key: keyOf(finishKey(key, this.#tenant)),
      ConditionExpression: HELD,
      UpdateExpression: SETTLE_UPDATES[final][settle.lastError ? 1 : 0],
      ExpressionAttributeNames: STATUS_NAME,
      ExpressionAttributeValues: values,
    });
    return result.written;
  }

  async getFinish(key: FinishKey): Promise<FinishItem | undefined> {
    const item = await this.#table.get(finishKey(key, this.#tenant));
    if (!item) return undefined;
    return finishItemOf(key, item);
  }
}
