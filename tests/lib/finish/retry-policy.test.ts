import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../lib/finish/retry-policy.ts';

describe('retryDelayMs', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('grows exponentially up to the cap (the ceiling of full jitter)', () => {
    const ceiling = (attempt: number) => retryDelayMs(policy, attempt, undefined, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6].map(ceiling)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('jitters over the whole range', () => {
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(policy, 3, undefined, () => 0.5)).toBe(200);
  });

  it('takes Retry-After as given', () => {
    expect(retryDelayMs(policy, 1, 7_000, () => 0)).toBe(7_000);
  });
});
