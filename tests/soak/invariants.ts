import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import type { SimulatorCall } from '../../harness/simulator/types.ts';
import type { PlainItem } from '../support/table-items.ts';
import type { TenantHostOutage } from './chaos.ts';
import { deadLetterReasons } from './dead-letter-reasons.ts';
import { type InvariantRow, row } from './invariant-row.ts';
import type { LeakFinding, LogScan } from './log-scanner.ts';
import { type FinishAnswer, SCOPE_HEADER, type WorkflowAnswer } from './signinghub-observer.ts';
import type { DeadLetter } from './sqs-emulation.ts';
import type { StreamHistory } from './stream-history.ts';
import { tenantInvariants } from './tenant-invariants.ts';
import { DEFAULT_TENANT, type PackageRef, packageRef, refOfPartition } from './tenant-mix.ts';
import type { Workload } from './workload.ts';

export interface CallbackRecord {
  readonly source: 'signinghub' | 'premature' | 'decline' | 'hostile';
  readonly status: number | 'threw';
  readonly expectedStatus?: number | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface Outage {
  readonly stoppedAt: number;
  readonly restartedAt: number;
  /** Stopped as SigningHub answered a finish with a transient error. */
  readonly onServerError: boolean;
}

/** What the run left behind, gathered once it has settled. */
export interface SoakEvidence {
  readonly workload: Workload;
  /** Message ids deleted from the queue after an invocation that did not name them. */
  readonly deleted: ReadonlySet<string>;
  readonly deadLetters: readonly DeadLetter[];
  readonly leftInQueue: number;
  readonly invalidBatchResponses: number;
  readonly items: readonly PlainItem[];
  /** Every enterprise's call log. */
  readonly calls: readonly SimulatorCall[];
  /** Per workload package: SigningHub's final word now (DELETED when deleted), if any. */
  readonly signingHubFinal: ReadonlyMap<PackageRef, string>;
  readonly events: readonly ReceivedEvent[];
  readonly history: StreamHistory;
  readonly workflowAnswers: readonly WorkflowAnswer[];
  readonly finishAnswers: readonly FinishAnswer[];
  /** Finish requests that left the function, by key (the observer's count). */
  readonly finishRequests: ReadonlyMap<string, number>;
  /** When each finish request left the function. */
  readonly finishSends: readonly { readonly key: string; readonly at: number }[];
  /** Keys whose successful finish was answered only after the function's timeout, on purpose. */
  readonly lateAnswerKeys: ReadonlySet<string>;
  readonly callbacks: readonly CallbackRecord[];
  readonly outage: Outage | undefined;
  readonly tenantOutage: TenantHostOutage | undefined;
  /** Requests to one tenant's host with a token another's issued (the observer's). */
  readonly misdirected: readonly string[];
  readonly logScan: LogScan;
  /** Per message id, its deliveries the finish function logged "finish in flight elsewhere". */
  readonly inFlightElsewhere: ReadonlyMap<string, number>;
  readonly otherLeaks: readonly LeakFinding[];
}

const FINAL_PACKAGE = new Set(['COMPLETED', 'DECLINED', 'DELETED']);
const FINAL_ANSWERS = new Set([400, 403, 404, 410, 422]);
const DETAIL_TYPES: Readonly<Record<string, string>> = {
  COMPLETED: 'SigningPackageCompleted',
  DECLINED: 'SigningPackageDeclined',
  DELETED: 'SigningPackageDeleted',
};

const text = (item: PlainItem, name: string): string | undefined => {
  const value = item[name];
  return typeof value === 'string' ? value : undefined;
};

/** `<tenant>/<packageId>|<signer>` of a finish item, from its keys. */
const finishKeyOfItem = (item: PlainItem): string | undefined => {
  const ref = refOfPartition(text(item, 'pk'));
  const sk = text(item, 'sk');
  if (ref === undefined || !sk?.startsWith('FINISH#')) return undefined;
  return `${ref}|${sk.slice('FINISH#'.length)}`;
};

/** `<tenant>/<packageId>|<scope or ->` of a call, by the host (enterprise) it reached. */
const finishKeyOfCall = (call: SimulatorCall): string => {
  const scope = call.headers[SCOPE_HEADER] ?? call.tokenScope ?? '';
  return `${packageRef(call.enterprise, call.packageId ?? Number.NaN)}|${scope === '' ? '-' : scope}`;
};

const tenantOfKey = (key: string): string => key.slice(0, key.indexOf('/'));

/** `a: 3, b: 1` per tenant, in the workload's order. */
const perTenant = (workload: Workload, counts: ReadonlyMap<string, number>): string =>
  workload.tenants.map(({ name }) => `${name} ${counts.get(name) ?? 0}`).join(', ');

const countInto = (counts: Map<string, number>, tenant: string) =>
  counts.set(tenant, (counts.get(tenant) ?? 0) + 1);

export const checkInvariants = (evidence: SoakEvidence): InvariantRow[] => {
  const { workload, items } = evidence;
  const finishItems = new Map<string, PlainItem>();
  const packageItems = new Map<PackageRef, PlainItem>();
  const rejected = new Set<string>();
  for (const item of items) {
    const key = finishKeyOfItem(item);
    const ref = refOfPartition(text(item, 'pk'));
    if (key) finishItems.set(key, item);
    else if (ref !== undefined && text(item, 'sk') === 'PACKAGE') packageItems.set(ref, item);
    else if (text(item, 'sk') === 'REJECTED') rejected.add(text(item, 'pk') ?? '');
  }

  // 1. Every event accounted for.
  const deadLettered = new Set(evidence.deadLetters.map(({ messageId }) => messageId));
  const counts = { succeeded: 0, failed: 0, rejected: 0, deadLettered: 0 };
  const settledPerTenant = new Map<string, number>();
  const unaccounted: string[] = [];
  for (const message of workload.messages) {
    if (deadLettered.has(message.messageId)) {
      counts.deadLettered += 1;
      continue;
    }
    if (evidence.deleted.has(message.messageId)) countInto(settledPerTenant, message.tenant);
    if (!evidence.deleted.has(message.messageId)) {
      unaccounted.push(`${message.messageId} is neither deleted nor dead-lettered`);
      continue;
    }
    if (message.key === undefined) {
      if (rejected.has(`REJECTED#event-${message.messageId}`)) counts.rejected += 1;
      else unaccounted.push(`${message.messageId} deleted without a rejected item`);
      continue;
    }
    const status = text(finishItems.get(message.key) ?? {}, 'status');
    if (status === 'SUCCEEDED') counts.succeeded += 1;
    else if (status === 'FAILED') counts.failed += 1;
    else unaccounted.push(`${message.messageId} deleted while ${message.key} is ${status}`);
  }
  const total = counts.succeeded + counts.failed + counts.rejected + counts.deadLettered;
  const sent = workload.messages.length;
  const accounted = row(
    'every event accounted for',
    `${sent} sent = ${counts.succeeded} succeeded + ${counts.failed} failed for good + ` +
      `${counts.rejected} rejected + ${counts.deadLettered} dead-lettered` +
      (evidence.leftInQueue > 0 ? `; ${evidence.leftInQueue} still queued` : '') +
      `; settled per tenant: ${perTenant(workload, settledPerTenant)}`,
    unaccounted,
    total === sent && evidence.leftInQueue === 0,
  );

  // 2 and 3. One finish per key where SigningHub answered, and that answer recorded.
  const answered = new Map<string, number[]>();
  const requests = new Map<string, number>();
  const timeline = new Map<string, string[]>();
  const clock = (at: number) => new Date(at).toISOString().slice(11, 23);
  for (const call of evidence.calls) {
    if (call.operation !== 'finish') continue;
    const key = finishKeyOfCall(call);
    requests.set(key, (requests.get(key) ?? 0) + 1);
    timeline.set(key, [...(timeline.get(key) ?? []), `${clock(call.at)} ${call.status}`]);
    if (
      call.status === 200 ||
      (typeof call.status === 'number' && FINAL_ANSWERS.has(call.status))
    ) {
      answered.set(key, [...(answered.get(key) ?? []), call.status]);
    }
  }
  // The contract retries a timeout, so a finish SigningHub carried out but answered too late is
  // sent again by design; what must never happen is a request after an answer reached us.
  const firstReceived = new Map<string, number>();
  for (const answer of evidence.finishAnswers) {
    const settles = answer.status === 200 || FINAL_ANSWERS.has(answer.status);
    if (answer.received && settles && !firstReceived.has(answer.key)) {
      firstReceived.set(answer.key, answer.at);
    }
  }
  // Judged by when requests left the function, not when SigningHub read them: the server may
  // read a request the function had given up on after the retry that replaced it.
  const afterAnswer: string[] = [];
  for (const [key, at] of firstReceived) {
    const later = evidence.finishSends.filter((send) => send.key === key && send.at > at);
    if (later.length > 0) {
      const sent = evidence.finishSends.filter((send) => send.key === key).map((s) => clock(s.at));
      afterAnswer.push(
        `${key}: answered ${(timeline.get(key) ?? []).join(', ')}; sent ${sent.join(', ')}; ` +
          `first answer received ${clock(at)}`,
      );
    }
  }
  const repeatedAfterTimeout = [...answered].filter(([, statuses]) => statuses.length > 1);
  const heldOnPurpose = repeatedAfterTimeout.filter(([key]) => evidence.lateAnswerKeys.has(key));
  const answeredOnce = [...answered.values()].filter((statuses) => statuses.length === 1).length;
  const oneFinish = row(
    'no finish request after SigningHub answer reached the function',
    `${answered.size} answered keys: ${answeredOnce} carried out once; ` +
      `${repeatedAfterTimeout.length} again after a request timed out (a timeout is retried, as ` +
      `the contract says; ${heldOnPurpose.length} of them held past the timeout on purpose); ` +
      `${afterAnswer.length} after an answer was received`,
    afterAnswer,
  );

  // What the function must record is the first settling answer that reached it: one SigningHub
  // gave after the function's timeout had cancelled the request never did, and is retried.
  const unrecorded: string[] = [];
  const firstReceivedStatus = new Map<string, number>();
  for (const answer of evidence.finishAnswers) {
    const settles = answer.status === 200 || FINAL_ANSWERS.has(answer.status);
    if (answer.received && settles && !firstReceivedStatus.has(answer.key)) {
      firstReceivedStatus.set(answer.key, answer.status);
    }
  }
  for (const [key, answer] of firstReceivedStatus) {
    const status = text(finishItems.get(key) ?? {}, 'status');
    const expected = answer === 200 ? 'SUCCEEDED' : 'FAILED';
    if (status !== expected) unrecorded.push(`${key}: SigningHub ${answer}, item ${status}`);
  }
  const miscounted: string[] = [];
  for (const [key, item] of finishItems) {
    const status = text(item, 'status');
    if ((status === 'SUCCEEDED' || status === 'FAILED') && !firstReceivedStatus.has(key)) {
      unrecorded.push(`${key}: item ${status} without an answer from SigningHub`);
    }
    // attempts counts what left the function; SigningHub can only have seen as many or fewer.
    const sent = evidence.finishRequests.get(key) ?? 0;
    const seen = requests.get(key) ?? 0;
    if (item.attempts !== sent || seen > sent) {
      miscounted.push(`${key}: attempts ${item.attempts}, sent ${sent}, SigningHub saw ${seen}`);
    }
  }
  const recorded = row(
    "SigningHub's answer recorded on its finish item",
    `${finishItems.size} finish items; ${unrecorded.length} disagree with SigningHub`,
    unrecorded,
  );
  const attempts = row(
    'attempts on each finish item = finish requests sent (SigningHub saw no more)',
    `${finishItems.size - miscounted.length} of ${finishItems.size} agree`,
    miscounted,
  );

  // 4. No final status overwritten.
  const twice = [...evidence.history.becameFinal]
    .filter(([, times]) => times > 1)
    .map(([ref, times]) => `package ${ref} became final ${times} times`);
  const overwritten = row(
    'no final status overwritten',
    `${evidence.history.stats.records} stream records; ${evidence.history.overwrites.length} ` +
      'overwrites of a final status',
    [
      ...evidence.history.overwrites.map(({ item, from, to }) => `${item}: ${from} -> ${to}`),
      ...twice,
    ],
  );

  // 5. Exactly one completion event per final package, naming its tenant (the default: none).
  const eventsByPackage = new Map<PackageRef, ReceivedEvent[]>();
  const eventProblems: string[] = [];
  // The archive's events have invariants of their own (archive-invariants.ts).
  const completionEvents = evidence.events.filter(({ detailType }) =>
    Object.values(DETAIL_TYPES).includes(detailType),
  );
  for (const event of completionEvents) {
    const detail = event.detail as { packageId?: unknown; tenant?: unknown };
    if (detail.tenant === DEFAULT_TENANT) {
      eventProblems.push(`an event for package ${detail.packageId} names the default tenant`);
    }
    const tenant = typeof detail.tenant === 'string' ? detail.tenant : DEFAULT_TENANT;
    const ref = packageRef(tenant, Number(detail.packageId));
    eventsByPackage.set(ref, [...(eventsByPackage.get(ref) ?? []), event]);
  }
  let finalPackages = 0;
  const finalPerTenant = new Map<string, number>();
  for (const [ref, item] of packageItems) {
    const status = text(item, 'status') ?? '';
    const events = eventsByPackage.get(ref) ?? [];
    if (!FINAL_PACKAGE.has(status)) {
      if (events.length > 0) eventProblems.push(`${ref} is ${status} but has events`);
      continue;
    }
    finalPackages += 1;
    countInto(finalPerTenant, tenantOfKey(ref));
    const matching = events.filter(
      (event) =>
        event.detailType === DETAIL_TYPES[status] &&
        (event.detail as { status?: unknown }).status === status,
    );
    if (events.length !== 1 || matching.length !== 1) {
      eventProblems.push(
        `${ref} is ${status}: ${events.map((e) => e.detailType).join(', ') || 'no event'}`,
      );
    }
  }
  for (const ref of eventsByPackage.keys()) {
    if (!packageItems.has(ref)) eventProblems.push(`${ref} has events but no item`);
  }
  const oneEvent = row(
    'exactly one completion event per final package',
    `${finalPackages} final packages (${perTenant(workload, finalPerTenant)}), ` +
      `${completionEvents.length} events`,
    eventProblems,
  );

  // 6. Confirmed by the workflow API, never by a callback's words.
  const answersByPackage = new Map<PackageRef, WorkflowAnswer[]>();
  for (const answer of evidence.workflowAnswers) {
    answersByPackage.set(answer.ref, [...(answersByPackage.get(answer.ref) ?? []), answer]);
  }
  const unconfirmed: string[] = [];
  const byStatus: Record<string, number> = {};
  for (const [ref, item] of packageItems) {
    const status = text(item, 'status') ?? '';
    if (!FINAL_PACKAGE.has(status)) continue;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const completedAt = Date.parse(text(item, 'completedAt') ?? '');
    const proof = (answersByPackage.get(ref) ?? []).find(
      (answer) => answer.word === status && answer.at <= completedAt,
    );
    if (!proof) unconfirmed.push(`${ref} ${status} at ${text(item, 'completedAt')}`);
  }
  const confirmed = row(
    'every final package confirmed by a workflow answer before it became final',
    Object.entries(byStatus)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ') || 'no final packages',
    unconfirmed,
  );

  // 7. Nothing left behind: SigningHub's final word reached the table, every success its package.
  const behind: string[] = [];
  for (const [ref, word] of evidence.signingHubFinal) {
    const item = packageItems.get(ref);
    if (item && !FINAL_PACKAGE.has(text(item, 'status') ?? '')) {
      behind.push(`${ref}: SigningHub ${word}, table ${text(item, 'status')}`);
    }
  }
  for (const [key, statuses] of answered) {
    const ref = key.slice(0, key.indexOf('|'));
    if (statuses.includes(200) && !packageItems.has(ref)) {
      behind.push(`${ref}: finished at SigningHub but no package item`);
    }
  }
  const caughtUp = row(
    "SigningHub's final word reached every package item",
    `${evidence.signingHubFinal.size} packages final at SigningHub; ${behind.length} behind`,
    behind,
  );

  // 8. Valid answers: batch responses, callbacks (5xx only while DynamoDB was away).
  const outage = evidence.outage;
  const duringOutage = (record: CallbackRecord) =>
    outage !== undefined &&
    record.startedAt <= outage.restartedAt + 1_000 &&
    record.endedAt >= outage.stoppedAt;
  const badAnswers: string[] = [];
  const callbackStatuses: Record<string, number> = {};
  for (const record of evidence.callbacks) {
    callbackStatuses[String(record.status)] = (callbackStatuses[String(record.status)] ?? 0) + 1;
    if (record.status === 'threw') badAnswers.push(`a ${record.source} callback threw`);
    else if (record.status >= 500 && !duringOutage(record)) {
      badAnswers.push(`a ${record.source} callback answered ${record.status} with DynamoDB up`);
    } else if (
      record.expectedStatus !== undefined &&
      record.status !== record.expectedStatus &&
      record.status < 500
    ) {
      badAnswers.push(`a hostile callback answered ${record.status}, not ${record.expectedStatus}`);
    }
  }
  if (evidence.invalidBatchResponses > 0) {
    badAnswers.push(`${evidence.invalidBatchResponses} batch answers named unknown messages`);
  }
  const answers = row(
    'valid answers: no 5xx but during the DynamoDB outage, hostile requests refused',
    Object.entries(callbackStatuses)
      .sort()
      .map(([status, count]) => `${count}×${status}`)
      .join(', '),
    badAnswers,
  );

  // 9 and 10. No secret anywhere.
  const { logScan } = evidence;
  const describe = (finding: LeakFinding) =>
    `${finding.kind} (line ${finding.lineNumber}): ${finding.excerpt}`;
  const logs = row(
    'no secret, password or token in any log line',
    `${logScan.lines} lines (${Math.round(logScan.bytes / 1024)} KiB) scanned; ` +
      `${logScan.findings.length + logScan.moreFindings} leaks`,
    logScan.findings.map(describe),
  );
  const elsewhere = row(
    'no secret in callback answers or stored items',
    `${evidence.otherLeaks.length} leaks`,
    evidence.otherLeaks.map(describe),
  );

  return [
    accounted,
    deadLetterReasons({ ...evidence, finishKeyOfCall }),
    oneFinish,
    recorded,
    attempts,
    overwritten,
    oneEvent,
    confirmed,
    caughtUp,
    answers,
    logs,
    elsewhere,
    ...tenantInvariants({ ...evidence, finishKeyOfCall }),
  ];
};
