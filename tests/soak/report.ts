import { textTable } from '../../ops/text-table.ts';
import { archiveRows } from './archive-figures.ts';
import type { LatencyFigures } from './latency.ts';
import type { SoakResult } from './soak.ts';
import type { SoakFigures, TenantFigures } from './soak-figures.ts';

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
      'arrivals',
      figures.eventsPerSecond === undefined
        ? 'every message on the queue at the start'
        : `${figures.eventsPerSecond} messages a second`,
    ],
    [
      'tenant host outage',
      figures.tenantOutage === undefined
        ? 'none'
        : `${figures.tenantOutage.tenant}'s host down for ${seconds(figures.tenantOutage.durationMs)} ` +
          `(connections dropped, then 503); ${queue.visibilityChanges} messages handed back for ` +
          `longer while its circuit was open (${queue.visibilityChangesRefused} refused)`,
    ],
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
    ...archiveRows(figures.archive),
    ['log lines scanned', String(figures.logLines)],
    [
      'event loop delay',
      `p99 ${figures.eventLoopDelayMs.p99} ms, max ${figures.eventLoopDelayMs.max} ms`,
    ],
  ];
};

/** The target for the healthy tenants: no slower than this beside a run with no outage. */
export const HEALTHY_TENANTS_TARGET = 1.5;

const ms = (value: number): string => `${Math.round(value)} ms`;
const ratio = (value: number, baseline: number): number =>
  baseline > 0 ? value / baseline : Number.POSITIVE_INFINITY;
const times = (value: number): string => `${value.toFixed(2)}×`;

/**
 * Healthy tenants' ratios to the baseline's, median and p95, over the events that met no fault of
 * their own (`TenantLatency.untouched`): what the other tenant's outage could cost them.
 */
export const healthyRatios = (
  result: SoakResult,
  baseline: SoakResult,
): { tenant: string; median: number; p95: number }[] => {
  const down = result.figures.tenantOutage?.tenant;
  return result.figures.tenants.flatMap(({ name, latency }) => {
    const before = baseline.figures.tenants.find((tenant) => tenant.name === name)?.latency;
    if (name === down || !latency || !before) return [];
    return [
      {
        tenant: name,
        median: ratio(latency.untouched.medianMs, before.untouched.medianMs),
        p95: ratio(latency.untouched.p95Ms, before.untouched.p95Ms),
      },
    ];
  });
};

const pair = (figures: LatencyFigures | undefined): string =>
  figures && figures.settled > 0 ? `${ms(figures.medianMs)} / ${ms(figures.p95Ms)}` : '-';

const tenantRow = (
  tenant: TenantFigures,
  down: string | undefined,
  before: TenantFigures | undefined,
): string[] => {
  const { latency } = tenant;
  const reached =
    `${tenant.grant === 'password' ? 'password' : 'client credentials'}` +
    (tenant.clientCertificate ? ', client certificate over HTTPS' : '');
  const now = latency?.untouched;
  const then = before?.latency?.untouched;
  const compared =
    tenant.name === down
      ? 'its host was down'
      : now && then
        ? `${times(ratio(now.medianMs, then.medianMs))} / ${times(ratio(now.p95Ms, then.p95Ms))}`
        : '-';
  return [
    tenant.name,
    reached,
    `${tenant.messages} (${tenant.deadLettered} dead-lettered)`,
    String(tenant.requests),
    pair(latency),
    `${pair(now)} (${now?.settled ?? 0})`,
    pair(then),
    compared,
  ];
};

/**
 * Per tenant: what it sent and got, and its time from event to settled finish, over all its
 * events and over those that met no fault of their own, beside the baseline's.
 */
export const formatTenantTable = (result: SoakResult, baseline?: SoakResult): string => {
  const down = result.figures.tenantOutage?.tenant;
  const table = textTable(
    [
      'tenant',
      'reached with',
      'events',
      'requests at its host',
      'event to settled finish: all, median / p95',
      'untouched events (count)',
      'untouched, no outage (baseline)',
      'ratio, median / p95',
    ],
    result.figures.tenants.map((tenant) =>
      tenantRow(
        tenant,
        down,
        baseline?.figures.tenants.find(({ name }) => name === tenant.name),
      ),
    ),
    'aligned-markdown',
  );
  if (!baseline) {
    const note =
      down === undefined
        ? 'every tenant’s host up the whole run'
        : 'no baseline run here: `npm run soak` runs one with no outage and gives the ratios';
    return [table, '', note].join('\n');
  }
  const ratios = healthyRatios(result, baseline);
  const worst = Math.max(...ratios.flatMap(({ median, p95 }) => [median, p95]));
  const verdict =
    worst <= HEALTHY_TENANTS_TARGET
      ? `within the ${HEALTHY_TENANTS_TARGET}× target`
      : `OVER the ${HEALTHY_TENANTS_TARGET}× target`;
  return [
    table,
    '',
    `healthy tenants' untouched events beside the run with no outage: worst ratio ${times(worst)}, ${verdict}`,
  ].join('\n');
};

export const formatSoakReport = (result: SoakResult, baseline?: SoakResult): string => {
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
    formatTenantTable(result, baseline),
    '',
    invariants,
    broken,
    '',
    result.ok ? 'soak: every invariant holds' : 'soak: INVARIANTS VIOLATED',
    '',
  ].join('\n');
};
