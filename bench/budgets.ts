import type { Interval } from './stats.ts';
import { judgeAtMost } from './stats.ts';

/**
 * What each function may cost, checked by every run of the bench. The next features (tenants,
 * the archive) report against these; raising one is a decision, written with its reason.
 */
export interface FunctionBudget {
  /** The deployment zip. */
  readonly zipKb: number;
  /** The import of the bundled handler, ÷ the floor bundle's, per cold-start pass. */
  readonly coldImportToFloor: number;
  /**
   * CPU per warm invocation, in floor events: the floor's CPU for one finish event in the same
   * round is the unit, so the budget holds on any machine and under any load.
   */
  readonly warmCpuFloorEvents: number;
  /** Bytes printed per warm invocation, every log and EMF line. */
  readonly logBytesPerInvocation: number;
}

export const BUDGETS: Readonly<Record<string, FunctionBudget>> = {
  // A batch of 10 signing events per invocation: 1.25× the floor's CPU per event.
  finish: {
    zipKb: 175,
    // On the latency path: its import may take 1.15× the floor's (the bench's target).
    coldImportToFloor: 1.15,
    warmCpuFloorEvents: 12.5,
    logBytesPerInvocation: 6_400,
  },
  // One GET from SigningHub, confirmed with the workflow API.
  callback: {
    zipKb: 200,
    // On SigningHub's latency path: 1.15× the floor's, as finish.
    coldImportToFloor: 1.15,
    warmCpuFloorEvents: 1.65,
    logBytesPerInvocation: 1_400,
  },
  // A batch of 10 completion records, one EventBridge event each.
  publish: {
    zipKb: 140,
    coldImportToFloor: 1.1,
    warmCpuFloorEvents: 4.9,
    logBytesPerInvocation: 5_100,
  },
  // One run that finds and confirms 10 stale packages.
  reconcile: {
    zipKb: 172,
    coldImportToFloor: 1.25,
    warmCpuFloorEvents: 8,
    logBytesPerInvocation: 6_400,
  },
  // One COMPLETED package of one small document: the workflow details, the download as the
  // package's owner, one PutObject, the document recorded and the package ARCHIVED. Its zip is
  // 217 KB with the S3 client and lib-storage bundled, under the 250 KB every zip must stay
  // under; it is off the latency path, so its import may take 1.25× the floor's, like
  // reconcile's. Its warm figures are first estimates, not measured yet (the bench has no
  // archive workload, so it reports them as not measured): the callback's three requests and
  // three lines cost 1.48 floor events and 1,236 B; the archive makes six requests (two
  // SigningHub GETs, a PutObject, a GetItem and two UpdateItems) and prints three lines with a
  // longer key and one more metric.
  archive: {
    zipKb: 250,
    coldImportToFloor: 1.25,
    warmCpuFloorEvents: 3.5,
    logBytesPerInvocation: 1_700,
  },
};

/** What a run measured of one function; undefined where it measured nothing. */
export interface FunctionFigures {
  readonly zipBytes: number;
  readonly coldImportToFloor: Interval | undefined;
  readonly warmCpuFloorEvents: Interval | undefined;
  readonly logBytesPerInvocation: number | undefined;
}

export type BudgetMeasure =
  | 'zip'
  | 'cold import ÷ floor'
  | 'warm CPU per invocation'
  | 'log bytes per invocation';

export interface BudgetCheck {
  readonly measure: BudgetMeasure;
  /** The figure, or undefined when the run did not measure it. */
  readonly value: number | undefined;
  readonly interval: Interval | undefined;
  readonly budget: number | undefined;
  /** met, missed, within noise (the interval straddles the budget), not measured, or no budget. */
  readonly state: 'met' | 'missed' | 'within noise' | 'not measured' | 'no budget';
}

const exact = (value: number | undefined, budget: number | undefined) =>
  budget === undefined
    ? 'no budget'
    : value === undefined
      ? 'not measured'
      : value <= budget
        ? 'met'
        : 'missed';

const ranged = (interval: Interval | undefined, budget: number | undefined) =>
  budget === undefined
    ? 'no budget'
    : interval === undefined || !Number.isFinite(interval.hi)
      ? 'not measured'
      : judgeAtMost(interval, budget);

/** Each of a function's four measures against its budget; a function without one says so. */
export const checkBudget = (
  figures: FunctionFigures,
  budget: FunctionBudget | undefined,
): BudgetCheck[] => [
  {
    measure: 'zip',
    value: figures.zipBytes / 1024,
    interval: undefined,
    budget: budget?.zipKb,
    state: exact(figures.zipBytes / 1024, budget?.zipKb),
  },
  {
    measure: 'cold import ÷ floor',
    value: figures.coldImportToFloor?.estimate,
    interval: figures.coldImportToFloor,
    budget: budget?.coldImportToFloor,
    state: ranged(figures.coldImportToFloor, budget?.coldImportToFloor),
  },
  {
    measure: 'warm CPU per invocation',
    value: figures.warmCpuFloorEvents?.estimate,
    interval: figures.warmCpuFloorEvents,
    budget: budget?.warmCpuFloorEvents,
    state: ranged(figures.warmCpuFloorEvents, budget?.warmCpuFloorEvents),
  },
  {
    measure: 'log bytes per invocation',
    value: figures.logBytesPerInvocation,
    interval: undefined,
    budget: budget?.logBytesPerInvocation,
    state: exact(figures.logBytesPerInvocation, budget?.logBytesPerInvocation),
  },
];
