import type { Artifact } from '../artifacts.ts';
import { BUDGETS, type BudgetCheck, checkBudget } from '../budgets.ts';
import type { ColdStartSamples } from '../cold-start.ts';
import { type Interval, pairedRatios, ratioInterval } from '../stats.ts';
import type { Variant } from '../warm/rounds.ts';
import type { VariantSummary } from '../warm/summary.ts';
import { fixed, span, times } from './format.ts';
import { inFloorEvents } from './function-rows.ts';
import { NOT_MEASURED, type Report } from './report.ts';

/** The import alone, ÷ the floor bundle's, pass by pass (each pass imports every bundle once). */
export const coldImportRatio = (
  samples: ColdStartSamples | undefined,
  floor: ColdStartSamples | undefined,
  pick: (samples: ColdStartSamples) => readonly number[] = (s) => s.importMs,
): Interval | undefined =>
  samples && floor && samples.error === undefined && floor.error === undefined
    ? ratioInterval(pairedRatios(pick(samples), pick(floor)))
    : undefined;

const WARM_VARIANT: Readonly<Record<string, Variant>> = {
  finish: 'ours',
  callback: 'callback',
  publish: 'publish',
  reconcile: 'reconcile',
};

const shownValue = (check: BudgetCheck): string => {
  if (check.value === undefined) return NOT_MEASURED;
  switch (check.measure) {
    case 'zip':
      return `${fixed(check.value, 1)} KB`;
    case 'cold import ÷ floor':
      return check.interval
        ? `${times(check.value)} (95%: ${span(check.interval)})`
        : times(check.value);
    case 'warm CPU per invocation':
      return check.interval
        ? `${fixed(check.value)} floor events (95%: ${span(check.interval, (v) => fixed(v))})`
        : fixed(check.value);
    default:
      return `${fixed(check.value, 0)} B`;
  }
};

const shownBudget = (check: BudgetCheck): string => {
  if (check.budget === undefined) return '–';
  switch (check.measure) {
    case 'zip':
      return `≤ ${check.budget} KB`;
    case 'cold import ÷ floor':
      return `≤ ${times(check.budget)}`;
    case 'warm CPU per invocation':
      return `≤ ${check.budget} floor events`;
    default:
      return `≤ ${check.budget} B`;
  }
};

/** The verdict as the targets line repeats it, with the figure for a miss or the noise. */
const verdictText = (check: BudgetCheck): string => {
  if (check.state === 'no budget') return '**missed**: no budget yet';
  if (check.state === 'missed') return `**missed**: ${shownValue(check)}`;
  if (check.state === 'within noise') return `within noise: ${shownValue(check)}`;
  return check.state;
};

const resultText = (check: BudgetCheck): string =>
  check.state === 'missed'
    ? '**missed**'
    : check.state === 'no budget'
      ? '**no budget yet**'
      : check.state;

/** Every packaged function against its budget: a table of its own, and a verdict per check. */
export const budgetTable = (
  report: Report,
  functions: readonly Artifact[],
  cold: ReadonlyMap<string, ColdStartSamples>,
  warm: ReadonlyMap<Variant, VariantSummary>,
): { header: string[]; rows: string[][] } => {
  const floorCold = cold.get('floor');
  const floorWarm = warm.get('floor');
  const rows: string[][] = [];
  for (const artifact of functions) {
    const variant = WARM_VARIANT[artifact.name];
    const summary = variant === undefined ? undefined : warm.get(variant);
    const measuredWarm = summary !== undefined && summary.invocations > 0;
    const checks = checkBudget(
      {
        zipBytes: artifact.zipBytes,
        coldImportToFloor: coldImportRatio(cold.get(artifact.name), floorCold),
        warmCpuFloorEvents:
          measuredWarm && floorWarm ? inFloorEvents(summary, floorWarm) : undefined,
        logBytesPerInvocation: measuredWarm ? summary.logBytes / summary.invocations : undefined,
      },
      BUDGETS[artifact.name],
    );
    for (const check of checks) {
      report.judge(`${artifact.name} ${check.measure} ${shownBudget(check)}`, verdictText(check));
      rows.push([
        `\`${artifact.name}\``,
        check.measure,
        shownValue(check),
        shownBudget(check),
        resultText(check),
      ]);
    }
  }
  return { header: ['function', 'budget on', 'this run', 'budget', 'result'], rows };
};
