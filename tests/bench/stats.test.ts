import { describe, expect, it } from 'vitest';
import {
  judgeAtLeast,
  judgeAtMost,
  pairedRatios,
  ratioInterval,
  standardDeviation,
  t975,
  trimmedMeanInterval,
} from '../../bench/stats.ts';

describe("Student's t at 97.5%", () => {
  it.each([
    [1, 12.706],
    [5, 2.571],
    [9, 2.262],
    [10, 2.228],
    [20, 2.086],
    [30, 2.042],
    [55, 2.004],
    [120, 1.98],
  ])('has %i degrees of freedom at %f, to within 0.002', (df, expected) => {
    expect(Math.abs(t975(df) - expected)).toBeLessThan(0.002);
  });

  it('has no value without a degree of freedom', () => {
    expect(t975(0)).toBeNaN();
  });
});

describe('intervals', () => {
  it('takes the sample standard deviation (n − 1)', () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
  });

  it('puts a 95% t-interval around the mean when nothing is trimmed', () => {
    const interval = trimmedMeanInterval([10, 12, 14], 0);
    expect(interval.estimate).toBe(12);
    // sd 2, n 3: half-width 4.303 × 2 / √3.
    expect(interval.hi - 12).toBeCloseTo((4.303 * 2) / Math.sqrt(3), 3);
    expect(12 - interval.lo).toBeCloseTo((4.303 * 2) / Math.sqrt(3), 3);
    expect(interval.n).toBe(3);
  });

  it('trims a fifth from each end and widens by the winsorized spread (Yuen)', () => {
    // n 10, g 2: the mean of the middle six, the winsorized sd over 0.6 √10, t at 10 − 4 − 1 df.
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
    const interval = trimmedMeanInterval(values);
    expect(interval.estimate).toBe(5.5);
    const winsorized = [3, 3, 3, 4, 5, 6, 7, 8, 8, 8];
    const half = (2.571 * standardDeviation(winsorized)) / (0.6 * Math.sqrt(10));
    expect(interval.hi - 5.5).toBeCloseTo(half, 6);
    expect(5.5 - interval.lo).toBeCloseTo(half, 6);
  });

  it('lets an outlying round move the ratio far less than the mean would', () => {
    const rounds = [1, 1.02, 0.98, 1.01, 0.99, 1, 1.02, 0.98, 1.01, 3];
    expect(ratioInterval(rounds).estimate).toBeLessThan(1.01);
    expect(ratioInterval(rounds).hi).toBeLessThan(1.05);
  });

  it('takes the geometric mean of ratios, so a ratio and its inverse cancel', () => {
    const interval = ratioInterval([2, 0.5, 2, 0.5]);
    expect(interval.estimate).toBeCloseTo(1, 10);
    expect(interval.lo * interval.hi).toBeCloseTo(1, 10);
  });

  it('narrows with more rounds of the same spread', () => {
    const few = ratioInterval([0.9, 1.1, 0.95, 1.05]);
    const many = ratioInterval(Array.from({ length: 10 }, () => [0.9, 1.1, 0.95, 1.05]).flat());
    expect(many.hi - many.lo).toBeLessThan((few.hi - few.lo) / 2);
  });

  it('leaves out ratios that are not positive numbers', () => {
    expect(ratioInterval([1, 0, Number.NaN, Number.POSITIVE_INFINITY, 1.2]).n).toBe(2);
  });

  it('pairs rounds by position and skips a zero denominator', () => {
    expect(pairedRatios([2, 3, 4], [1, 0, 2, 5])).toEqual([2, 2]);
  });
});

describe('judging on an interval', () => {
  const interval = (lo: number, hi: number) => ({ estimate: (lo + hi) / 2, lo, hi, n: 30 });

  it('meets an upper bound only when the whole interval is under it', () => {
    expect(judgeAtMost(interval(1.1, 1.19), 1.2)).toBe('met');
    expect(judgeAtMost(interval(1.15, 1.25), 1.2)).toBe('within noise');
    expect(judgeAtMost(interval(1.21, 1.3), 1.2)).toBe('missed');
  });

  it('meets a lower bound only when the whole interval is over it', () => {
    expect(judgeAtLeast(interval(1.5, 1.6), 1.5)).toBe('met');
    expect(judgeAtLeast(interval(1.4, 1.6), 1.5)).toBe('within noise');
    expect(judgeAtLeast(interval(1.3, 1.49), 1.5)).toBe('missed');
  });
});
