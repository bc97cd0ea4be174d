import { textTable } from '../../ops/text-table.ts';
import type { SoakResult } from './soak.ts';
import type { SoakFigures } from './soak-figures.ts';

const list = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name}: ${count}`)
    .join(', ') || 'none';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const figureRows = (figures: SoakFigures): string[][] => {
  const { events, queue, mapping, callbacks, reconcile } = figures;
  return [
    ['duration', seconds(figures.durationMs)],
    [
      'signing events',
      `${events.sent} sent: ${events.distinct} distinct, ${events.duplicates} duplicates ` +
        `(${events.concurrentPairs} delivered to two instances at once), ${events.malformed} malformed`,
    ],
    ['packages / finish keys', `${events.packages} / ${events.keys}`],
    [
      'SQS',
      `${queue.receives} receives (${queue.redeliveries} redeliveries), ${queue.deleted} deleted, ` +
        `${queue.deadLettered} dead-lettered, ${queue.staleDeletes} stale deletes ignored`,
    ],
    [
      'finish invocations',
      `${mapping.invocations} (${mapping.failedInvocations} failed: ${list(mapping.errors)}; ` +
        `${mapping.timedOut} killed at the deadline), ${mapping.itemFailures} messages handed back`,
    ],
    ['finish requests by answer', list(figures.finishByStatus)],
    [
      'faults scripted on finish',
      `transient ${list(figures.faultsScripted.transient)} ` +
        `(${figures.faultsScripted.lateAnswersServed} finishes answered late); ` +
        `final ${list(figures.faultsScripted.final)}; ` +
        `${figures.faultsScripted.outagePackages} packages down (${figures.faultsScripted.outageResponses} × 503)`,
    ],
    ['workflow requests by answer', list(figures.workflowByStatus)],
    ['faults scripted on workflow', list(figures.faultsScripted.workflow)],
    [
      'tokens',
      `${figures.tokensIssued} issued (${figures.authenticateRequests} authentications), ` +
        `${figures.tokenRevocations} revocations`,
    ],
    [
      'DynamoDB Local outage',
      figures.dynamoDbOutageMs === undefined
        ? 'none'
        : `${seconds(figures.dynamoDbOutageMs)}, from ${figures.dynamoDbStoppedOnServerError ? 'the moment SigningHub answered a finish with 5xx or 429' : 'a timer'}`,
    ],
    [
      'callbacks',
      `${callbacks.sentBySigningHub} sent by SigningHub (${callbacks.lostInTransit} lost, ` +
        `${callbacks.duplicated} duplicated), ${callbacks.premature} premature ` +
        `(${callbacks.prematureBeforeAnyFinish} before any finish), ${callbacks.declines} declines, ` +
        `${callbacks.deletions} deletions, ${callbacks.hostile} hostile`,
    ],
    ['callback answers', list(callbacks.byStatus)],
    [
      'reconciler',
      `${reconcile.runs} scheduled runs (${reconcile.failedRuns} failed), ${reconcile.checked} checks, ` +
        `${reconcile.madeFinal} made final, ${reconcile.unconfirmed} unconfirmed; ` +
        `${reconcile.finalChecks} checks in the final pass`,
    ],
    [
      'completion events',
      `${list(figures.completionEvents)} (${figures.eventBridgeRefusals} PutEvents refused)`,
    ],
    ['log lines scanned', String(figures.logLines)],
    [
      'event loop delay',
      `p99 ${figures.eventLoopDelayMs.p99} ms, max ${figures.eventLoopDelayMs.max} ms`,
    ],
  ];
};

export const formatSoakReport = (result: SoakResult): string => {
  const invariants = textTable(
    ['invariant', 'observed', 'result'],
    result.invariants.map(({ invariant, observed, ok }) => [
      invariant,
      observed,
      ok ? 'ok' : 'VIOLATED',
    ]),
    'aligned-markdown',
  );
  const broken = result.invariants
    .filter(({ ok }) => !ok)
    .map(
      ({ invariant, examples }) =>
        `\n${invariant}:\n${examples.map((example) => `  - ${example}`).join('\n')}`,
    )
    .join('\n');
  return [
    textTable(['figure', 'value'], figureRows(result.figures), 'aligned-markdown'),
    '',
    invariants,
    broken,
    '',
    result.ok ? 'soak: every invariant holds' : 'soak: INVARIANTS VIOLATED',
    '',
  ].join('\n');
};
