import type { OperationCounts } from '../dynamodb-counter.ts';
import { sum } from '../stats.ts';

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (value: number): string => `${value.toFixed(1)} ms`;
export const times = (ratio: number): string => `${ratio.toFixed(2)}×`;
export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
export const micros = (value: number): string => `${value.toFixed(0)} µs`;
const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** Says when a miss is no bigger than how far two identical floors strayed from each other. */
const withinNoise = (miss: number, noise: number | undefined): string =>
  noise !== undefined && miss <= noise
    ? `; within this run's noise: two identical floors differ by ${percent(noise)}`
    : '';

/** "met", or by how much a value overshoots an upper bound. */
export const atMost = (
  value: number,
  limit: number,
  shown: (value: number) => string,
  noise?: number,
): string =>
  value <= limit
    ? 'met'
    : `**missed by ${percent(value / limit - 1)}** (${shown(value)} > ${shown(limit)}` +
      `${withinNoise(value / limit - 1, noise)})`;

/** "met", or by how much a value falls short of a lower bound. */
export const atLeast = (
  value: number,
  limit: number,
  shown: (value: number) => string,
  noise?: number,
): string =>
  value >= limit
    ? 'met'
    : `**missed by ${percent(1 - value / limit)}** (${shown(value)} < ${shown(limit)}` +
      `${withinNoise(1 - value / limit, noise)})`;

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
