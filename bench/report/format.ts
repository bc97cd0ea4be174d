import type { OperationCounts } from '../dynamodb-counter.ts';
import { type Interval, type Judgement, sum } from '../stats.ts';

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (value: number): string => `${value.toFixed(1)} ms`;
export const times = (ratio: number): string => `${ratio.toFixed(2)}×`;
export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
export const micros = (value: number): string => `${value.toFixed(0)} µs`;
export const dollars = (value: number): string =>
  value >= 100
    ? `$${value.toFixed(0)}`
    : value >= 1
      ? `$${value.toFixed(2)}`
      : `$${value.toFixed(3)}`;

/** An interval as the table writes it: `lo×–hi×`. */
export const span = (interval: Interval, shown: (value: number) => string = times): string =>
  `${shown(interval.lo)}–${shown(interval.hi)}`;

/** An estimate with its 95% interval: `1.19× (1.15×–1.23×)`. */
export const withSpan = (interval: Interval, shown: (value: number) => string = times): string =>
  `${shown(interval.estimate)} (${span(interval, shown)})`;

/** A judgement as the result cell says it; a miss in bold, and the interval it was judged on. */
export const judged = (
  judgement: Judgement,
  interval: Interval,
  shown: (value: number) => string = times,
): string =>
  judgement === 'met'
    ? 'met'
    : judgement === 'missed'
      ? `**missed** (95%: ${span(interval, shown)})`
      : `within noise (95%: ${span(interval, shown)})`;

/** "met", or by how much an exact value overshoots an upper bound. */
export const atMost = (value: number, limit: number, shown: (value: number) => string): string =>
  value <= limit
    ? 'met'
    : `**missed by ${Math.round((value / limit - 1) * 100)}%** (${shown(value)} > ${shown(limit)})`;

/**
 * Whether a measured function printed its EMF metrics: the figures beside it include them (or,
 * loudly, do not).
 */
export const emfShown = (blobs: number, invocations: number): string =>
  blobs > 0
    ? `on: ${fixed(blobs / invocations)} per invocation (${blobs} over ${invocations})`
    : `**off: none printed over ${invocations} invocations**`;

/** Requests per event, in all and by operation. */
export const perEvent = (counts: OperationCounts, events: number): string => {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${fixed(count / events)}`);
  return `${fixed(sum(Object.values(counts)) / events)} (${parts.join(', ') || 'none'})`;
};
