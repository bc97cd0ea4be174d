import type { SimulatorCall } from '../../harness/simulator/types.ts';
import { type InvariantRow, row } from './invariant-row.ts';
import type { SoakEvidence } from './invariants.ts';
import type { DeadLetter } from './sqs-emulation.ts';
import { parsePackageRef, UNKNOWN_TENANT } from './tenant-mix.ts';
import type { WorkloadMessage } from './workload.ts';

/**
 * How long after a tenant's host came back its messages may still be handed back: the circuit's
 * cool-down (30 s in the finish function) and a little for the probe that closes it.
 */
const CIRCUIT_AFTERMATH_MS = 35_000;

/** Answers that leave a finish to be tried again. */
const unsettled = (call: SimulatorCall): boolean =>
  call.status === 'hang' ||
  call.status === 'drop' ||
  call.status === 401 ||
  call.status === 429 ||
  (typeof call.status === 'number' && call.status >= 500);

const IN_FLIGHT_ELSEWHERE = '"message":"finish in flight elsewhere"';
const MESSAGE_ID = /"messageId":"([^"]+)"/;

/** Counts, per message id, the deliveries the finish function logged "finish in flight elsewhere". */
export const inFlightElsewhereCounter = () => {
  const counts = new Map<string, number>();
  return {
    counts: counts as ReadonlyMap<string, number>,
    observe: (line: string): void => {
      const messageId = line.includes(IN_FLIGHT_ELSEWHERE) ? MESSAGE_ID.exec(line)?.[1] : undefined;
      if (messageId !== undefined) counts.set(messageId, (counts.get(messageId) ?? 0) + 1);
    },
  };
};

const REASONS = [
  'its tenant has no settings',
  'its package stayed down at SigningHub',
  "its tenant's host was down",
  "its tenant's circuit stayed open, opened by that tenant's package that stayed down",
  'a delivery outlived the visibility timeout (its delete came too late)',
  'SigningHub failed its finish again and again',
  'another delivery of its finish held the lease at its receives (the soak gives a lease longer than its visibility timeout; AWS does not)',
  'no reason found',
] as const;
type Reason = (typeof REASONS)[number];

/**
 * Why a message ended in the dead-letter queue, from what the run did to it: every dead letter
 * must come from a fault the soak put there on purpose.
 */
export const deadLetterReasons = (
  evidence: Pick<SoakEvidence, 'deadLetters' | 'calls' | 'tenantOutage' | 'inFlightElsewhere'> & {
    readonly workload: {
      readonly messages: SoakEvidence['workload']['messages'];
      readonly faults: Pick<SoakEvidence['workload']['faults'], 'outagePackages'>;
    };
    readonly finishKeyOfCall: (call: SimulatorCall) => string;
  },
): InvariantRow => {
  const { workload, tenantOutage } = evidence;
  const messages = new Map(workload.messages.map((message) => [message.messageId, message]));
  const outagePackages = new Set(workload.faults.outagePackages);
  const failedCalls = new Map<string, number>();
  for (const call of evidence.calls) {
    if (call.operation !== 'finish' || !unsettled(call)) continue;
    const key = evidence.finishKeyOfCall(call);
    failedCalls.set(key, (failedCalls.get(key) ?? 0) + 1);
  }
  const hostDownWhile = (message: WorkloadMessage, letter: DeadLetter): boolean =>
    tenantOutage !== undefined &&
    message.tenant === tenantOutage.tenant &&
    letter.receivedAt.some(
      (at) => at >= tenantOutage.downAt && at <= tenantOutage.upAt + CIRCUIT_AFTERMATH_MS,
    );

  // A package that keeps failing, with one more failure of its tenant's (another package kept
  // down, or a timeout while the soak's one event loop stalls), opens its tenant's circuit; the
  // soak compresses the hand-back, so its tenant's other messages can use up their receives.
  const tenantsWithDownPackages = new Set(
    [...outagePackages].map((ref) => parsePackageRef(ref).tenant),
  );
  const reasonOf = (letter: DeadLetter): Reason => {
    const message = messages.get(letter.messageId);
    if (!message) return 'no reason found';
    if (message.tenant === UNKNOWN_TENANT) return 'its tenant has no settings';
    const ref = message.key?.slice(0, message.key.indexOf('|'));
    if (ref !== undefined && outagePackages.has(ref))
      return 'its package stayed down at SigningHub';
    if (hostDownWhile(message, letter)) return "its tenant's host was down";
    if (
      letter.handedBackLater >= letter.receiveCount &&
      tenantsWithDownPackages.has(message.tenant)
    ) {
      return "its tenant's circuit stayed open, opened by that tenant's package that stayed down";
    }
    if (letter.staleDeletes > 0) {
      return 'a delivery outlived the visibility timeout (its delete came too late)';
    }
    const failed = message.key === undefined ? 0 : (failedCalls.get(message.key) ?? 0);
    if (failed >= letter.receiveCount) return 'SigningHub failed its finish again and again';
    // A delivery holds its lease until 5 s past its invocation's deadline (25 s in the small
    // soak) while it retries; the soak's visibility timeout is 4 s, so a duplicate of it comes
    // back, finds the lease held, and goes back, up to five times. In AWS (lease at most 65 s,
    // visibility timeout 360 s) it comes back once the lease is over.
    const elsewhere = evidence.inFlightElsewhere.get(letter.messageId) ?? 0;
    if (elsewhere + failed >= letter.receiveCount) {
      return 'another delivery of its finish held the lease at its receives (the soak gives a lease longer than its visibility timeout; AWS does not)';
    }
    return 'no reason found';
  };

  const counts = new Map<Reason, number>();
  const unexplained: string[] = [];
  for (const letter of evidence.deadLetters) {
    const reason = reasonOf(letter);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    if (reason === 'no reason found') {
      const message = messages.get(letter.messageId);
      unexplained.push(
        `${letter.messageId} (${message?.kind} ${message?.key ?? message?.tenant}): ` +
          `${letter.receiveCount} receives, ${letter.handedBackLater} handed back later, ` +
          `${letter.staleDeletes} stale deletes, ` +
          `${evidence.inFlightElsewhere.get(letter.messageId) ?? 0} answered "in flight elsewhere"`,
      );
    }
  }
  return row(
    'every dead-lettered message has a reason',
    REASONS.filter((reason) => counts.has(reason))
      .map((reason) => `${counts.get(reason)}: ${reason}`)
      .join('; ') || 'no dead letters',
    unexplained,
  );
};
