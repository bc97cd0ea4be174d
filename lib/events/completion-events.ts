import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Log } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import { isFinalPackageStatus } from '../store/items.ts';
import { PACKAGE_SORT_KEY, packageRefOf } from '../store/keys.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import type {
  SigningPackageCompletedDetail,
  SigningPackageDeclinedDetail,
  SigningPackageDeletedDetail,
} from './event-catalogue.ts';

const EVENT_SOURCE = 'signinghub.finish';

/** A completion event's detail, as the catalogue (docs/events/) describes it. */
type CompletionEvent =
  | SigningPackageCompletedDetail
  | SigningPackageDeclinedDetail
  | SigningPackageDeletedDetail;

const DETAIL_TYPES: Readonly<Record<CompletionEvent['status'], string>> = {
  COMPLETED: 'SigningPackageCompleted',
  DECLINED: 'SigningPackageDeclined',
  DELETED: 'SigningPackageDeleted',
};

const isCompletionStatus = (status: string | undefined): status is CompletionEvent['status'] =>
  status !== undefined && Object.hasOwn(DETAIL_TYPES, status);

/** The part of a DynamoDB stream record this needs (the Lambda event and GetRecords agree on it). */
export interface ChangeRecord {
  readonly eventName?: string | undefined;
  readonly dynamodb?:
    | {
        readonly SequenceNumber?: string | undefined;
        readonly NewImage?: Record<string, AttributeValue | { S?: string; N?: string }> | undefined;
        readonly OldImage?: Record<string, AttributeValue | { S?: string; N?: string }> | undefined;
      }
    | undefined;
}

/** The event a change stands for: a package item whose status became final in that very write. */
const completionEventOf = (record: ChangeRecord): CompletionEvent | undefined => {
  const next = record.dynamodb?.NewImage;
  if (record.eventName === 'REMOVE' || !next || next.sk?.S !== PACKAGE_SORT_KEY) return undefined;
  const status = next.status?.S;
  if (!isCompletionStatus(status)) return undefined;
  if (isFinalPackageStatus(record.dynamodb?.OldImage?.status?.S)) return undefined;
  const ref = packageRefOf(next.pk?.S);
  if (ref === undefined) return undefined;
  const at = next.completedAt?.S ?? next.updatedAt?.S ?? '';
  const { packageId, tenant } = ref;
  return tenant === DEFAULT_TENANT ? { packageId, status, at } : { packageId, status, at, tenant };
};

export interface PublishResult {
  /** The sequence number of the first record that could not be published; later ones were not tried. */
  readonly failedAt: string | undefined;
}

/**
 * Publishes the completion events of a batch of stream records, in order, one at a time, and
 * stops at the first failure: the stream retries from that record, so nothing after it was sent
 * and nothing before it is sent twice.
 */
export const publishCompletionEvents = async (
  records: readonly ChangeRecord[],
  deps: {
    readonly eventBridge: Pick<EventBridgeClient, 'send'>;
    readonly busName: string | undefined;
    /** CompletionEventPublished per event EventBridge took, CompletionEventRefused per one it did not. */
    readonly metrics: MetricsPort;
  },
  log: Log,
): Promise<PublishResult> => {
  for (const record of records) {
    const event = completionEventOf(record);
    if (!event) continue;
    if (deps.busName === undefined) {
      log.debug('no EVENT_BUS_NAME: completion event not sent', { packageId: event.packageId });
      continue;
    }
    try {
      const answer = await deps.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: deps.busName,
              Source: EVENT_SOURCE,
              DetailType: DETAIL_TYPES[event.status],
              Detail: JSON.stringify(event),
            },
          ],
        }),
      );
      if ((answer.FailedEntryCount ?? 0) > 0) {
        const entry = answer.Entries?.[0];
        throw new Error(
          `EventBridge refused the event: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`,
        );
      }
      deps.metrics.count('CompletionEventPublished');
      log.info('completion event published', {
        packageId: event.packageId,
        status: event.status,
        ...(event.tenant ? { tenant: event.tenant } : {}),
      });
    } catch (error) {
      deps.metrics.count('CompletionEventRefused');
      log.error('completion event not published; the stream will retry', {
        packageId: event.packageId,
        error,
      });
      const failedAt = record.dynamodb?.SequenceNumber;
      // Without a sequence number the stream cannot resume there: fail the whole batch instead.
      if (failedAt === undefined) throw error;
      return { failedAt };
    }
  }
  return { failedAt: undefined };
};
