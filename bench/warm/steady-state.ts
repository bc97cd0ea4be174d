import { median } from '../stats.ts';

export interface SteadyRule {
  /** Rounds compared at a time: the last `window` against the `window` before them. */
  readonly window: number;
  /** Steady once the CPU per event has stopped falling by more than this fraction. */
  readonly tolerance: number;
  readonly minRounds: number;
  readonly maxRounds: number;
}

/** Warm-up stops when the JIT has done its work: the cost per event no longer falls. */
export const STEADY_RULE: SteadyRule = {
  window: 3,
  tolerance: 0.03,
  minRounds: 8,
  maxRounds: 24,
};

/**
 * Whether one variant's CPU per event, round by round, has reached its steady state: the median
 * of the last `window` rounds is no more than `tolerance` below the median of the `window` before.
 * (A rise is noise, or the machine; only a fall means the code is still getting faster.)
 */
export const hasLevelledOff = (series: readonly number[], rule: SteadyRule): boolean => {
  if (series.length < 2 * rule.window) return false;
  const last = median(series.slice(-rule.window));
  const before = median(series.slice(-2 * rule.window, -rule.window));
  return last >= before * (1 - rule.tolerance);
};

/** Whether the warm-up can stop: every variant levelled off, or the round limit is reached. */
export const warmUpDone = (
  seriesByVariant: readonly (readonly number[])[],
  rounds: number,
  rule: SteadyRule,
): { readonly done: boolean; readonly steady: boolean } => {
  const steady =
    rounds >= rule.minRounds && seriesByVariant.every((series) => hasLevelledOff(series, rule));
  return { done: steady || rounds >= rule.maxRounds, steady };
};
