import type { InvocationBudget } from '../invocation-timeline.ts';
import { type Log, withKeys } from '../logger.ts';
import type { RejectedStore } from '../store/ports.ts';
import type { TenantCircuits } from '../tenants/circuit-breaker.ts';
import {
  type ArchiveDependencies,
  type ArchiveJob,
  type ArchiveOutcome,
  type ArchiveSide,
  archivePackage,
} from './archive-package.ts';
import { parseArchiveMessage } from './archive-request.ts';

export interface ArchiveMessage {
  readonly messageId: string;
  readonly body: string;
}

/** A tenant's side of the archive, or why there is none now (no settings, bad settings, unreadable). */
export type OpenedArchiveSide =
  | { readonly ok: true; readonly side: ArchiveSide }
  | { readonly ok: false; readonly message: string };

/** Every tenant's side, `default` included. */
export interface ArchiveTenants {
  open(tenant: string): Promise<OpenedArchiveSide>;
}

export interface ArchiveBatchDependencies extends ArchiveDependencies {
  readonly tenants: ArchiveTenants;
  /** A circuit per tenant; absent: none (a deployment without tenants). */
  readonly circuits?: TenantCircuits | undefined;
  readonly rejected: RejectedStore;
  readonly log: Log;
}

/**
 * What became of a message: an archive's outcome, or 'rejected' (not an archive request: stored
 * as a rejected item), 'tenant-unavailable' and 'circuit-open' (nothing sent: it waits in the
 * queue), 'error' (something unexpected, such as the table away: it comes back).
 */
type MessageOutcome = ArchiveOutcome | 'rejected' | 'tenant-unavailable' | 'circuit-open' | 'error';

const HANDED_BACK: ReadonlySet<MessageOutcome> = new Set<MessageOutcome>([
  'retry-later',
  'tenant-unavailable',
  'circuit-open',
  'error',
]);

/**
 * An ArchiveQueue batch, one message after another (a document's upload holds its parts in
 * memory: one at a time keeps the function's memory bounded). Answers the messages SQS must
 * deliver again: those handed back, to resume where they stopped.
 */
export const processArchiveBatch = async (
  messages: readonly ArchiveMessage[],
  deps: ArchiveBatchDependencies,
  budget: InvocationBudget,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const message of messages) {
    const outcome = await processMessage(message, deps, budget);
    if (HANDED_BACK.has(outcome)) batchItemFailures.push({ itemIdentifier: message.messageId });
  }
  return { batchItemFailures };
};

const processMessage = async (
  message: ArchiveMessage,
  deps: ArchiveBatchDependencies,
  budget: InvocationBudget,
): Promise<MessageOutcome> => {
  const { messageId } = message;
  const parsed = parseArchiveMessage(message.body);
  if (!parsed.ok) {
    const log = withKeys(deps.log, {
      messageId,
      ...(parsed.tenant ? { tenant: parsed.tenant } : {}),
    });
    try {
      await deps.rejected.putRejected({
        id: `archive-${messageId}`,
        source: 'event',
        reason: parsed.reason,
        raw: message.body,
        receivedAt: deps.now().toISOString(),
        tenant: parsed.tenant,
      });
    } catch (error) {
      log.error('could not store a rejected archive request; it will be delivered again', {
        error,
      });
      return 'error';
    }
    log.warn('archive request rejected', { reason: parsed.reason });
    return 'rejected';
  }
  const { request } = parsed;
  const job: ArchiveJob = { ...request, requestId: messageId };
  const log = withKeys(deps.log, {
    tenant: request.tenant,
    packageId: request.packageId,
    messageId,
    ...(request.force ? { force: true } : {}),
  });
  try {
    return await archiveForTenant(job, deps, budget, log);
  } catch (error) {
    log.error('the archive could not be processed; it will be delivered again', { error });
    return 'error';
  }
};

/**
 * One request of a tenant: handed back untouched when the tenant has no usable settings or its
 * circuit is open; otherwise archived with its tenant's store and SigningHub.
 */
const archiveForTenant = async (
  job: ArchiveJob,
  deps: ArchiveBatchDependencies,
  budget: InvocationBudget,
  log: Log,
): Promise<MessageOutcome> => {
  const { tenant } = job;
  if (deps.circuits?.isOpen(tenant)) {
    deps.metrics.count('TenantCircuitOpen');
    log.warn('the tenant’s SigningHub failed too often just now; handed back for later');
    return 'circuit-open';
  }
  const opened = await deps.tenants.open(tenant);
  if (!opened.ok) {
    deps.metrics.count('TenantUnavailable');
    log.warn('the tenant has no usable settings; nothing archived, handed back to the queue', {
      reason: opened.message,
    });
    return 'tenant-unavailable';
  }
  const outcome = await archivePackage(job, { ...deps, ...opened.side }, budget, log);
  if (outcome === 'retry-later' && deps.circuits?.isOpen(tenant)) {
    deps.metrics.count('TenantCircuitOpen');
    return 'circuit-open';
  }
  return outcome;
};
