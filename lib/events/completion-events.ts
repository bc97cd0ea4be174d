import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Log } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import type { ItemLike } from '../store/attributes.ts';
import { isFinalPackageStatus } from '../store/items.ts';
import { PACKAGE_SORT_KEY, packageRefOf } from '../store/keys.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import { archiveEventOf } from './archive-events.ts';
import type {
  SigningPackageArchivedDetail,
  SigningPackageArchiveFailedDetail,
  SigningPackageCompletedDetail,
  SigningPackageDeclinedDetail,
  SigningPackageDeletedDetail,
} from './event-catalogue.ts';

const EVENT_SOURCE = 'signinghub.finish';

/** An event of the stack's, as one PutEvents entry carries it; its detail as the catalogue says. */
export type StackEvent =
  | { readonly detailType: string; readonly detail: CompletionEvent }
  | { readonly detailType: 'SigningPackageArchived'; readonly detail: SigningPackageArchivedDetail }
  | {
      readonly detailType: 'SigningPackageArchiveFailed';
      readonly detail: SigningPackageArchiveFailedDetail;
    };

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

/** The detail-type of the completion event a package of this status gets; none for another. */
export const completionDetailType = (status: string | undefined): string | undefined =>
  isCompletionStatus(status) ? DETAIL_TYPES[status] : undefined;

/** The part of a DynamoDB stream record this needs (the Lambda event and GetRecords agree on it). */
export interface ChangeRecord {
  readonly eventName?: string | undefined;
  readonly dynamodb?:
    | {
        readonly SequenceNumber?: string | undefined;
        readonly NewImage?: ItemLike | undefined;
        readonly OldImage?: ItemLike | undefined;
      }
    | undefined;
}

/** The event a change stands for: a package item whose status became final in that very write. */
const completionEventOf = (record: ChangeRecord): StackEvent | undefined => {
  const { NewImage: next, OldImage: previous } = record.dynamodb ?? {};
  if (record.eventName === 'REMOVE' || !next || next.sk?.S !== PACKAGE_SORT_KEY) return undefined;
  const status = next.status?.S;
  if (!isCompletionStatus(status)) return undefined;
  if (isFinalPackageStatus(previous?.status?.S)) return undefined;
  const ref = packageRefOf(next.pk?.S);
  if (ref === undefined) return undefined;
  const at = next.completedAt?.S ?? next.updatedAt?.S ?? '';
  const { packageId, tenant } = ref;
  const detail =
    tenant === DEFAULT_TENANT ? { packageId, status, at } : { packageId, status, at, tenant };
  return { detailType: DETAIL_TYPES[status], detail };
};

export interface PublishResult {
  /** The sequence number of the first record that could not be published; later ones were not tried. */
  readonly failedAt: string | undefined;
}

export interface PublishDependencies {
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  readonly busName: string | undefined;
  /** CompletionEventPublished per event EventBridge took, CompletionEventRefused per one it did not. */
  readonly metrics: MetricsPort;
}

/** The completion events of a batch of stream records (see publishEvents). */
export const publishCompletionEvents = (
  records: readonly ChangeRecord[],
  deps: PublishDependencies,
  log: Log,
): Promise<PublishResult> => publishEvents(records, completionEventOf, deps, log);

/** Every event the stack sends from the table's stream: completion events, then archive events. */
export const publishStackEvents = (
  records: readonly ChangeRecord[],
  deps: PublishDependencies,
  log: Log,
): Promise<PublishResult> =>
  publishEvents(
    records,
    (record) => completionEventOf(record) ?? archiveEventOf(record),
    deps,
    log,
  );

/**
 * Publishes the events of a batch of stream records (at most one per record), in order, one at a
 * time, and stops at the first failure: the stream retries from that record, so nothing after it
 * was sent and nothing before it is sent twice.
 */
const publishEvents = async (
  records: readonly ChangeRecord[],
  eventOf: (record: ChangeRecord) => StackEvent | undefined,
  deps: PublishDependencies,
  log: Log,
): Promise<PublishResult> => {
  for (const record of records) {
    const event = eventOf(record);
    if (!event) continue;
    const { detailType, detail } = event;
    const about = {
      packageId: detail.packageId,
      ...(detail.tenant ? { tenant: detail.tenant } : {}),
      detailType,
    };
    if (deps.busName === undefined) {
      log.debug('no EVENT_BUS_NAME: event not sent', about);
      continue;
    }
    try {
      const answer = await deps.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: deps.busName,
              Source: EVENT_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
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
      log.info('event published', about);
    } catch (error) {
      deps.metrics.count('CompletionEventRefused');
      log.error('event not published; the stream will retry', { ...about, error });
      const failedAt = record.dynamodb?.SequenceNumber;
      // Without a sequence number the stream cannot resume there: fail the whole batch instead.
      if (failedAt === undefined) throw error;
      return { failedAt };
    }
  }
  return { failedAt: undefined };
};
