/** The value at quantile q (0..1) of the samples, by the nearest-rank method. */
export const quantile = (samples: readonly number[], q: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
};

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

export const sum = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value, 0);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : sum(values) / values.length;

/** The sample standard deviation (n − 1). */
export const standardDeviation = (values: readonly number[]): number => {
  if (values.length < 2) return Number.NaN;
  const centre = mean(values);
  return Math.sqrt(sum(values.map((value) => (value - centre) ** 2)) / (values.length - 1));
};

// Student's t at 97.5% for 1..9 degrees of freedom; from 10 on the expansion below is within 0.001.
const SMALL_T = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262];
const Z = 1.959964;

/** Student's t quantile at 97.5% (a two-sided 95% interval) for `df` degrees of freedom. */
export const t975 = (df: number): number => {
  if (!(df >= 1)) return Number.NaN;
  const small = SMALL_T[Math.floor(df) - 1];
  if (small !== undefined) return small;
  // Cornish–Fisher expansion of t around the normal quantile.
  const g1 = (Z ** 3 + Z) / 4;
  const g2 = (5 * Z ** 5 + 16 * Z ** 3 + 3 * Z) / 96;
  const g3 = (3 * Z ** 7 + 19 * Z ** 5 + 17 * Z ** 3 - 15 * Z) / 384;
  return Z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
};

/** An estimate and its 95% confidence interval, from `n` samples. */
export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** The share of samples trimmed from each end by the robust intervals: Wilcox's usual 20%. */
export const TRIM = 0.2;

/**
 * The trimmed mean (the middle samples, `trim` of them cut from each end) and its 95% interval
 * after Tukey and McLaughlin (Yuen): the winsorized standard deviation over (1 − 2·trim)·√n, on
 * Student's t with n − 2g − 1 degrees of freedom. Outliers, such as a round in which another
 * process took the core, move it far less than they move the mean; on normal samples the
 * interval is barely wider than the mean's.
 */
export const trimmedMeanInterval = (values: readonly number[], trim = TRIM): Interval => {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const g = Math.floor(trim * n);
  const kept = sorted.slice(g, n - g);
  const low = sorted[g] ?? Number.NaN;
  const high = sorted[n - g - 1] ?? Number.NaN;
  const winsorized = [...Array<number>(g).fill(low), ...kept, ...Array<number>(g).fill(high)];
  const centre = mean(kept);
  const half =
    (t975(n - 2 * g - 1) * standardDeviation(winsorized)) / ((1 - (2 * g) / n) * Math.sqrt(n));
  return { estimate: centre, lo: centre - half, hi: centre + half, n };
};

/**
 * The typical ratio of paired samples (one pair per round): the trimmed mean of the ratios'
 * logarithms, where a ratio and its inverse weigh alike, and its 95% interval, taken back to ratios.
 */
export const ratioInterval = (ratios: readonly number[]): Interval => {
  const usable = ratios.filter((ratio) => Number.isFinite(ratio) && ratio > 0);
  const logs = trimmedMeanInterval(usable.map(Math.log));
  return {
    estimate: Math.exp(logs.estimate),
    lo: Math.exp(logs.lo),
    hi: Math.exp(logs.hi),
    n: usable.length,
  };
};

/** Per-round ratios of `numerator` to `denominator`, rounds matched by position. */
export const pairedRatios = (
  numerator: readonly number[],
  denominator: readonly number[],
): number[] =>
  numerator.flatMap((value, index) => {
    const base = denominator[index];
    return base === undefined || base === 0 ? [] : [value / base];
  });

export type Judgement = 'met' | 'missed' | 'within noise';

/**
 * A target judged on an interval, never on its middle alone: met when all of it is on the right
 * side of the limit, missed when all of it is on the wrong side, within noise when it straddles.
 */
export const judgeAtMost = (interval: Interval, limit: number): Judgement =>
  interval.hi <= limit ? 'met' : interval.lo > limit ? 'missed' : 'within noise';

export const judgeAtLeast = (interval: Interval, limit: number): Judgement =>
  interval.lo >= limit ? 'met' : interval.hi < limit ? 'missed' : 'within noise';
