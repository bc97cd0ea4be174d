import { mapWithConcurrency } from '../concurrency.ts';
import type { InvocationBudget } from '../invocation-timeline.ts';
import { type Log, withKeys } from '../logger.ts';
import type { CountMetric } from '../metrics.ts';
import type { RejectedStore } from '../store/ports.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import {
  type FinishDependencies,
  type FinishOutcome,
  finishPackage,
  OUTCOMES_TO_RETRY,
  writeUnrecordedOutcome,
} from './finish-package.ts';
import { parseSigningEvent, type SigningEvent } from './signing-event.ts';
import { finishDependenciesOf, storesOf, type TenantRouting } from './tenant-routing.ts';

export interface SigningMessage {
  readonly messageId: string;
  readonly body: string;
}

export interface BatchDependencies extends FinishDependencies, TenantRouting {
  readonly rejected: RejectedStore;
  readonly log: Log;
  /** Events of one batch in progress at once (different packages/signers). */
  readonly concurrency: number;
  /**
   * Hands back the messages of tenants whose circuit is open for longer than the queue's own
   * visibility timeout, so an outage of hours does not spend their receives; absent: the queue's.
   */
  readonly handBackLater?: ((messageIds: readonly string[]) => Promise<void>) | undefined;
}

/**
 * 'tenant-unavailable': the tenant has no usable settings now; 'circuit-open': its SigningHub
 * failed too often just now. Neither sent anything; both wait in the queue.
 */
type MessageOutcome = FinishOutcome | 'rejected' | 'error' | 'tenant-unavailable' | 'circuit-open';

/** Each message counts once, by what became of it; all that SQS delivers again is retrying. */
const OUTCOME_METRICS: Readonly<Record<MessageOutcome, CountMetric>> = {
  succeeded: 'FinishSucceeded',
  failed: 'FinishFailed',
  'already-settled': 'FinishSkipped',
  'in-flight-elsewhere': 'FinishSkipped',
  'retry-later': 'FinishRetrying',
  'lease-lost': 'FinishRetrying',
  error: 'FinishRetrying',
  'tenant-unavailable': 'FinishRetrying',
  'circuit-open': 'FinishRetrying',
  rejected: 'SigningEventRejected',
};

export interface BatchResult {
  /** What SQS must deliver again: exactly the messages not settled here. */
  readonly batchItemFailures: { itemIdentifier: string }[];
}

interface Accepted {
  readonly message: SigningMessage;
  readonly event: SigningEvent;
}

/**
 * Processes an SQS batch: bad messages become rejected items, good ones are finished with
 * bounded concurrency. Events for the same (package, signer) run one after another, so a
 * duplicate inside a batch sees the first one's result instead of racing it.
 */
export const processSigningBatch = async (
  messages: readonly SigningMessage[],
  deps: BatchDependencies,
  budget: InvocationBudget,
): Promise<BatchResult> => {
  await writeKeptOutcomes(deps);
  const outcomes = new Map<string, MessageOutcome>();
  const decide = (messageId: string, outcome: MessageOutcome) => {
    outcomes.set(messageId, outcome);
    deps.metrics.count(OUTCOME_METRICS[outcome]);
  };
  const groups = new Map<string, Accepted[]>();
  const rejected: { message: SigningMessage; reason: string; tenant?: string | undefined }[] = [];

  for (const message of messages) {
    const parsed = parseSigningEvent(message.body);
    if (!parsed.ok) {
      rejected.push({ message, reason: parsed.reason, tenant: parsed.tenant });
      continue;
    }
    const { tenant, packageId, signerEmail } = parsed.event;
    const key = `${tenant}\n${packageId}\n${signerEmail ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push({ message, event: parsed.event });
    groups.set(key, group);
  }

  const reject = async ({ message, reason, tenant }: (typeof rejected)[number]) => {
    const log = withKeys(deps.log, { messageId: message.messageId, ...(tenant ? { tenant } : {}) });
    try {
      await deps.rejected.putRejected({
        id: `event-${message.messageId}`,
        source: 'event',
        reason,
        raw: message.body,
        receivedAt: deps.now().toISOString(),
        tenant,
      });
      log.warn('signing event rejected', { reason });
      decide(message.messageId, 'rejected');
    } catch (error) {
      log.error('could not store a rejected signing event; it will be delivered again', { error });
      decide(message.messageId, 'error');
    }
  };

  const finishGroup = async (group: readonly Accepted[]) => {
    for (const { message, event } of group) {
      const log = withKeys(deps.log, {
        tenant: event.tenant,
        packageId: event.packageId,
        messageId: message.messageId,
        ...(event.eventId ? { eventId: event.eventId } : {}),
      });
      try {
        decide(message.messageId, await finishForTenant(event, deps, budget, log));
      } catch (error) {
        log.error('finish could not be processed; it will be delivered again', { error });
        decide(message.messageId, 'error');
      }
    }
  };

  await Promise.all([
    mapWithConcurrency(rejected, deps.concurrency, reject),
    mapWithConcurrency([...groups.values()], deps.concurrency, finishGroup),
  ]);

  const later = messages.filter(({ messageId }) => outcomes.get(messageId) === 'circuit-open');
  if (later.length > 0 && deps.handBackLater) {
    try {
      await deps.handBackLater(later.map(({ messageId }) => messageId));
    } catch (error) {
      // They come back after the queue's own visibility timeout instead: nothing is lost.
      deps.log.warn('could not hand messages back for longer; the queue brings them back sooner', {
        error,
      });
    }
  }

  const batchItemFailures = messages
    .filter(({ messageId }) => {
      const outcome = outcomes.get(messageId);
      // Stryker disable next-line ConditionalExpression: equivalent, every message is decided above (rejected, finished or 'error'); undefined only keeps a future path from deleting an undecided message
      return (
        outcome === undefined ||
        outcome === 'error' ||
        outcome === 'tenant-unavailable' ||
        outcome === 'circuit-open' ||
        OUTCOMES_TO_RETRY.has(outcome)
      );
    })
    .map(({ messageId }) => ({ itemIdentifier: messageId }));
  return { batchItemFailures };
};

/**
 * First of all, the answers an earlier invocation of this instance could not record: written now,
 * before their leases let a redelivery elsewhere send the finish again. One try each; while the
 * table still refuses, they stay kept for the next invocation or for their own redelivery.
 */
const writeKeptOutcomes = async (deps: BatchDependencies): Promise<void> => {
  for (const kept of deps.keptOutcomes.all()) {
    const tenant = kept.tenant ?? DEFAULT_TENANT;
    const log = withKeys(deps.log, { tenant, packageId: kept.key.packageId });
    const stores = storesOf(tenant, deps);
    // Stryker disable next-line ConditionalExpression: equivalent, an outcome is kept only for a tenant whose stores it was sent with
    if (stores === undefined) continue;
    try {
      const written = await writeUnrecordedOutcome(kept, { ...deps, ...stores });
      log.info(
        written
          ? 'finish outcome of an earlier invocation recorded'
          : 'finish outcome of an earlier invocation dropped: its lease was taken over',
        { finishStatus: kept.settlement.status },
      );
    } catch (error) {
      log.warn('the table still refuses a kept finish outcome; kept for later', { error });
      return;
    }
  }
};

/**
 * One event of a tenant: handed back unsent when the tenant has no usable settings or its circuit
 * is open; otherwise finished with its tenant's stores and SigningHub. A finish that opened the
 * circuit comes back later too.
 */
const finishForTenant = async (
  event: SigningEvent,
  deps: BatchDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<MessageOutcome> => {
  const { tenant } = event;
  if (deps.circuits?.isOpen(tenant)) {
    deps.metrics.count('TenantCircuitOpen');
    log.warn('the tenant’s SigningHub failed too often just now; handed back for later');
    return 'circuit-open';
  }
  const opened = await finishDependenciesOf(tenant, deps);
  if (!opened.ok) {
    deps.metrics.count('TenantUnavailable');
    log.warn('the tenant has no usable settings; nothing sent, handed back to the queue', {
      reason: opened.message,
    });
    return 'tenant-unavailable';
  }
  const outcome = await finishPackage(event, opened.deps, budget, log);
  if (outcome === 'retry-later' && deps.circuits?.isOpen(tenant)) {
    deps.metrics.count('TenantCircuitOpen');
    return 'circuit-open';
  }
  return outcome;
};
