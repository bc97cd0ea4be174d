import type { Histogram } from 'node:perf_hooks';
import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import type { CallbackSent, SimulatorCall } from '../../harness/simulator/types.ts';
import type { ReconcileSummary } from '../../lib/reconcile/reconcile-packages.ts';
import type { ArchiveFigures } from './archive-figures.ts';
import type { BridgeStats } from './callback-bridge.ts';
import type { ChaosTally } from './chaos.ts';
import type { EventSourceMapping, MappingStats } from './event-source-mapping.ts';
import type { CallbackRecord } from './invariants.ts';
import type { TenantLatency } from './latency.ts';
import type { QueueStats, SqsQueue } from './sqs-emulation.ts';
import type { Workload } from './workload.ts';

/** One tenant's share of the run. */
export interface TenantFigures {
  readonly name: string;
  readonly grant: string;
  readonly clientCertificate: boolean;
  /** Signing events and their copies naming the tenant. */
  readonly messages: number;
  readonly deadLettered: number;
  /** Requests its host received. */
  readonly requests: number;
  readonly latency: TenantLatency | undefined;
}

export interface SoakFigures {
  readonly durationMs: number;
  /** Signing events put on the queue a second; undefined: all at once. */
  readonly eventsPerSecond: number | undefined;
  readonly tenants: readonly TenantFigures[];
  /** The tenant whose host was down, and for how long. */
  readonly tenantOutage: { readonly tenant: string; readonly durationMs: number } | undefined;
  readonly events: {
    readonly sent: number;
    readonly distinct: number;
    readonly duplicates: number;
    readonly concurrentPairs: number;
    readonly malformed: number;
    readonly packages: number;
    readonly keys: number;
  };
  readonly queue: Readonly<QueueStats>;
  readonly mapping: Readonly<MappingStats>;
  readonly finishByStatus: Readonly<Record<string, number>>;
  readonly workflowByStatus: Readonly<Record<string, number>>;
  readonly authenticateRequests: number;
  readonly faultsScripted: {
    readonly transient: Readonly<Record<string, number>>;
    /** Finishes SigningHub did but answered after the timeout. */
    readonly lateAnswersServed: number;
    readonly final: Readonly<Record<string, number>>;
    readonly workflow: Readonly<Record<string, number>>;
    readonly outagePackages: number;
    readonly outageResponses: number;
  };
  readonly tokenRevocations: number;
  readonly dynamoDbOutageMs: number | undefined;
  /** True when the outage began as SigningHub answered a transient error (not on a timer). */
  readonly dynamoDbStoppedOnServerError: boolean;
  readonly callbacks: {
    readonly sentBySigningHub: number;
    readonly lostInTransit: number;
    readonly duplicated: number;
    readonly premature: number;
    readonly prematureBeforeAnyFinish: number;
    readonly declines: number;
    readonly deletions: number;
    readonly hostile: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
  readonly reconcile: {
    readonly runs: number;
    /** The final pass over every open package, after the queue drained. */
    readonly finalChecks: number;
    readonly failedRuns: number;
    readonly checked: number;
    readonly madeFinal: number;
    readonly unconfirmed: number;
  };
  readonly completionEvents: Readonly<Record<string, number>>;
  readonly eventBridgeRefusals: number;
  readonly logLines: number;
  readonly tokensIssued: number;
  /** The process runs everything: its event loop's delays bound how precise timeouts can be. */
  readonly eventLoopDelayMs: { readonly p99: number; readonly max: number };
  readonly archive: ArchiveFigures;
}

/** What the figures are counted from, once the run is over. */
export interface FigureSources {
  readonly startedAt: number;
  readonly workload: Workload;
  readonly queue: SqsQueue;
  readonly mapping: EventSourceMapping;
  /** Every enterprise's calls. */
  readonly calls: readonly SimulatorCall[];
  readonly callbacksSent: readonly CallbackSent[];
  readonly lateAnswersServed: number;
  readonly chaos: ChaosTally;
  readonly bridge: Readonly<BridgeStats>;
  readonly callbacks: readonly CallbackRecord[];
  readonly reconcileRuns: readonly (ReconcileSummary | 'failed')[];
  readonly finalReconcile: readonly ReconcileSummary[];
  readonly events: readonly ReceivedEvent[];
  readonly logLines: number;
  readonly tokensIssued: number;
  readonly loopDelay: Histogram;
  readonly latency: ReadonlyMap<string, TenantLatency>;
  readonly eventsPerSecond: number | undefined;
  readonly archive: ArchiveFigures;
}

const countBy = <T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
};

/** What the run went through, for the report: the invariants say whether it held up. */
export const soakFigures = (sources: FigureSources): SoakFigures => {
  const { workload, chaos, callbacks, reconcileRuns, finalReconcile } = sources;
  const summaries = reconcileRuns.filter((run): run is ReconcileSummary => run !== 'failed');
  const callsOf = (operation: string) =>
    sources.calls.filter((call) => call.operation === operation);
  const { outage, tenantOutage } = chaos;
  const tenantOf = new Map(workload.messages.map(({ messageId, tenant }) => [messageId, tenant]));
  const messages = countBy(
    workload.messages.filter(({ key }) => key !== undefined),
    ({ tenant }) => tenant,
  );
  const deadLettered = countBy(
    sources.queue.deadLetters,
    ({ messageId }) => tenantOf.get(messageId) ?? '?',
  );
  const requests = countBy(sources.calls, ({ enterprise }) => enterprise);
  return {
    durationMs: Date.now() - sources.startedAt,
    eventsPerSecond: sources.eventsPerSecond,
    tenants: workload.tenants.map(({ name, grant, clientCertificate }) => ({
      name,
      grant,
      clientCertificate,
      messages: messages[name] ?? 0,
      deadLettered: deadLettered[name] ?? 0,
      requests: requests[name] ?? 0,
      latency: sources.latency.get(name),
    })),
    tenantOutage: tenantOutage && {
      tenant: tenantOutage.tenant,
      durationMs: tenantOutage.upAt - tenantOutage.downAt,
    },
    events: {
      sent: workload.messages.length,
      distinct: workload.messages.filter(({ kind }) => kind === 'event').length,
      duplicates: workload.messages.filter(({ kind }) => kind === 'duplicate').length,
      concurrentPairs: workload.messages.filter(({ partner }) => partner !== undefined).length / 2,
      malformed: workload.messages.filter(({ kind }) => kind === 'malformed').length,
      packages: workload.packages.length,
      keys: workload.keys.size,
    },
    queue: sources.queue.stats,
    mapping: sources.mapping.stats,
    finishByStatus: countBy(callsOf('finish'), ({ status }) => String(status)),
    workflowByStatus: countBy(callsOf('workflow'), ({ status }) => String(status)),
    authenticateRequests: callsOf('authenticate').length,
    faultsScripted: {
      transient: workload.faults.transient,
      lateAnswersServed: sources.lateAnswersServed,
      final: workload.faults.final,
      workflow: workload.faults.workflow,
      outagePackages: workload.faults.outagePackages.length,
      outageResponses: workload.faults.outageResponses,
    },
    tokenRevocations: chaos.revocations,
    dynamoDbOutageMs: outage ? outage.restartedAt - outage.stoppedAt : undefined,
    dynamoDbStoppedOnServerError: outage?.onServerError ?? false,
    callbacks: {
      sentBySigningHub: sources.callbacksSent.length,
      lostInTransit: sources.bridge.lost,
      duplicated: sources.bridge.duplicated,
      premature: chaos.premature,
      prematureBeforeAnyFinish: chaos.prematureBeforeAnyFinish,
      declines: chaos.declines,
      deletions: chaos.deletions,
      hostile: callbacks.filter(({ source }) => source === 'hostile').length,
      byStatus: countBy(callbacks, ({ status }) => String(status)),
    },
    reconcile: {
      runs: reconcileRuns.length,
      finalChecks: finalReconcile.reduce((sum, run) => sum + run.checked, 0),
      failedRuns: reconcileRuns.length - summaries.length,
      checked: summaries.reduce((sum, run) => sum + run.checked, 0),
      madeFinal: summaries.reduce((sum, run) => sum + run.final, 0),
      unconfirmed: summaries.reduce((sum, run) => sum + run.unconfirmed, 0),
    },
    completionEvents: countBy(
      sources.events.filter(({ detailType }) => !detailType.startsWith('SigningPackageArchive')),
      ({ detailType }) => detailType,
    ),
    eventBridgeRefusals: chaos.refusals,
    logLines: sources.logLines,
    tokensIssued: sources.tokensIssued,
    eventLoopDelayMs: {
      p99: Math.round(sources.loopDelay.percentile(99) / 1e6),
      max: Math.round(sources.loopDelay.max / 1e6),
    },
    archive: sources.archive,
  };
};
