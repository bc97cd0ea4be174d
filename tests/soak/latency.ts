import type { Workload, WorkloadMessage } from './workload.ts';

/** Times from a signing event to its settled finish (the message deleted from the queue). */
export interface LatencyFigures {
  readonly settled: number;
  readonly medianMs: number;
  readonly p95Ms: number;
}

/** One tenant's times: over all its events, and over those that met no fault of their own. */
export interface TenantLatency extends LatencyFigures {
  /**
   * Events whose package had no fault scripted (no transient or final answer, no answer held past
   * the timeout, no workflow fault, not down for good, not declined or deleted), that are not
   * copies, and that were not under way while DynamoDB Local was stopped: what is left to slow them
   * is other tenants' trouble (the circuit's business) and what every event shares (revoked
   * tokens, the machine). Over all events, the p95 falls where the ~5% of events the workload
   * gives a redelivery begin, or on the events DynamoDB's restart held up (2 to 7 s, as it
   * happens), and swings from 2 s to 17 s between two runs of the same seed; over these it does
   * not.
   */
  readonly untouched: LatencyFigures;
}

/** The value below which `share` of the sorted values fall (nearest rank). */
const percentile = (sorted: readonly number[], share: number): number =>
  sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? 0;

const figuresOf = (values: number[]): LatencyFigures => {
  const sorted = values.sort((a, b) => a - b);
  return {
    settled: sorted.length,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
  };
};

/** The packages the workload put a fault of their own on. */
const faultedPackages = (workload: Workload): Set<string> =>
  new Set([
    ...workload.finishScripts.keys(),
    ...workload.lateAnswers.keys(),
    ...workload.workflowScripts.keys(),
    ...workload.faults.outagePackages,
    ...workload.actions.flatMap((action) =>
      action.kind === 'decline' || action.kind === 'delete'
        ? [`${action.tenant}/${action.packageId}`]
        : [],
    ),
  ]);

/**
 * Per tenant, over its signing events and their copies that were deleted from the queue (a
 * finish settled, or found settled): from the moment each went on the queue to its deletion.
 */
export const latencyByTenant = (
  workload: Workload,
  sentAt: ReadonlyMap<string, number>,
  deletedAt: ReadonlyMap<string, number>,
  dynamoDbAway: { readonly stoppedAt: number; readonly restartedAt: number } | undefined,
): Map<string, TenantLatency> => {
  const faulted = faultedPackages(workload);
  const all = new Map<string, number[]>();
  const untouched = new Map<string, number[]>();
  const add = (times: Map<string, number[]>, message: WorkloadMessage, value: number) => {
    const own = times.get(message.tenant) ?? [];
    own.push(value);
    times.set(message.tenant, own);
  };
  for (const message of workload.messages) {
    if (message.key === undefined) continue;
    const sent = sentAt.get(message.messageId);
    const deleted = deletedAt.get(message.messageId);
    if (sent === undefined || deleted === undefined) continue;
    add(all, message, deleted - sent);
    const ref = message.key.slice(0, message.key.indexOf('|'));
    const heldUp =
      dynamoDbAway !== undefined &&
      sent <= dynamoDbAway.restartedAt &&
      deleted >= dynamoDbAway.stoppedAt;
    if (message.kind === 'event' && !faulted.has(ref) && !heldUp) {
      add(untouched, message, deleted - sent);
    }
  }
  return new Map(
    [...all].map(([tenant, values]) => [
      tenant,
      { ...figuresOf(values), untouched: figuresOf(untouched.get(tenant) ?? []) },
    ]),
  );
};
