import type { OperationCounts } from '../dynamodb-counter.ts';
import { type Interval, pairedRatios, ratioInterval, sum } from '../stats.ts';
import type { RoundSample, Variant } from './rounds.ts';

const add = (into: Record<string, number>, counts: OperationCounts) => {
  for (const [operation, count] of Object.entries(counts)) {
    into[operation] = (into[operation] ?? 0) + count;
  }
};

/** One variant's figures over a run: the measured rounds' totals, and each round's own. */
export interface VariantSummary {
  readonly variant: Variant;
  /** Measured rounds only. */
  readonly rounds: number;
  readonly events: number;
  readonly invocations: number;
  readonly cpuMicros: number;
  readonly wallMs: number;
  readonly failures: number;
  readonly logBytes: number;
  readonly logLines: number;
  readonly emfBlobs: number;
  readonly emfBytes: number;
  /** DynamoDB Local's CPU over the measured rounds; undefined where it cannot be read. */
  readonly serverCpuMicros: number | undefined;
  readonly latenciesMs: readonly number[];
  /** The collector's pauses over the measured rounds (main thread, wall time), in µs. */
  readonly gcMicros: number;
  /** Per measured round, in round order: what the per-round ratios are taken from. */
  readonly cpuPerEvent: readonly number[];
  readonly cpuPerInvocation: readonly number[];
  readonly wallPerEvent: readonly number[];
  /** Warm-up and measured rounds: requests are counted, not timed, so all of them serve. */
  readonly requestEvents: number;
  readonly requestInvocations: number;
  readonly dynamoDb: OperationCounts;
  readonly authentications: number;
  readonly finishes: number;
  readonly workflows: number;
  /** Redeliveries of events that were finished already. */
  readonly duplicates: {
    readonly events: number;
    readonly dynamoDb: OperationCounts;
    readonly finishes: number;
  };
}

export const summarize = (samples: readonly RoundSample[], variant: Variant): VariantSummary => {
  const own = samples.filter((sample) => sample.variant === variant);
  const measured = own.filter((sample) => sample.kind === 'measured');
  const counted = own.filter((sample) => sample.kind !== 'duplicate');
  const duplicates = own.filter((sample) => sample.kind === 'duplicate');
  const total = (list: readonly RoundSample[], pick: (sample: RoundSample) => number) =>
    sum(list.map(pick));
  const dynamoDb: Record<string, number> = {};
  for (const sample of counted) add(dynamoDb, sample.dynamoDb);
  const duplicateDynamoDb: Record<string, number> = {};
  for (const sample of duplicates) add(duplicateDynamoDb, sample.dynamoDb);
  const server = measured.map((sample) => sample.serverCpuMicros);
  const events = total(measured, (s) => s.report.events);
  const gcMicros = total(measured, (s) => s.report.gcMs * 1000);
  return {
    variant,
    rounds: measured.length,
    events,
    invocations: total(measured, (s) => s.report.invocations),
    cpuMicros: total(measured, (s) => s.report.cpuMicros),
    wallMs: total(measured, (s) => s.report.wallMs),
    failures: total(own, (s) => s.report.failures),
    logBytes: total(measured, (s) => s.report.logBytes),
    logLines: total(measured, (s) => s.report.logLines),
    emfBlobs: total(measured, (s) => s.report.emfBlobs),
    emfBytes: total(measured, (s) => s.report.emfBytes),
    serverCpuMicros: server.some((value) => value === undefined)
      ? undefined
      : sum(server.map((value) => value ?? 0)),
    latenciesMs: measured.flatMap((s) => s.report.latenciesMs),
    gcMicros,
    cpuPerEvent: measured.map((s) => s.report.cpuMicros / s.report.events),
    cpuPerInvocation: measured.map((s) => s.report.cpuMicros / s.report.invocations),
    wallPerEvent: measured.map((s) => s.report.wallMs / s.report.events),
    requestEvents: total(counted, (s) => s.report.events),
    requestInvocations: total(counted, (s) => s.report.invocations),
    dynamoDb,
    authentications: total(own, (s) => s.signingHub.authenticate),
    finishes: total(counted, (s) => s.signingHub.finish),
    workflows: total(counted, (s) => s.signingHub.workflow),
    duplicates: {
      events: total(duplicates, (s) => s.report.events),
      dynamoDb: duplicateDynamoDb,
      finishes: total(duplicates, (s) => s.signingHub.finish),
    },
  };
};

/** The per-round ratio of one series to another, and its 95% interval. */
export const roundRatio = (
  numerator: VariantSummary,
  denominator: VariantSummary,
  series: (summary: VariantSummary) => readonly number[],
): Interval => ratioInterval(pairedRatios(series(numerator), series(denominator)));

/**
 * Whether a ratio held still over the run: its per-round values in the second half of the
 * measured rounds against the first, pair by pair. Near 1× when both variants had reached their
 * steady state; off it when one was still getting faster than the other. (Each variant's own CPU
 * drifts with the machine's load; their ratio does not.)
 */
export const ratioDrift = (numerator: VariantSummary, denominator: VariantSummary): Interval => {
  const ratios = pairedRatios(numerator.cpuPerEvent, denominator.cpuPerEvent);
  const half = Math.floor(ratios.length / 2);
  return ratioInterval(pairedRatios(ratios.slice(half, 2 * half), ratios.slice(0, half)));
};
