import { describe, expect, it } from 'vitest';
import { readErrorMessage, retryAfterMs } from '../../../lib/signinghub/responses.ts';

describe('readErrorMessage', () => {
  it.each([
    ['{"Message":"Account is disabled"}', 'Account is disabled'],
    ['{"message":"lower"}', 'lower'],
    ['{"Error":"x","Message":"both"}', 'both'],
    ['{"error":"invalid_grant","error_description":"Invalid credentials"}', 'Invalid credentials'],
    ['{"Error":"only error"}', 'only error'],
    ['<html><body><h1>502 Bad Gateway</h1></body></html>', '502 Bad Gateway'],
    ['', 'HTTP 503 with no message'],
  ])('reads %s', (body, expected) => {
    expect(readErrorMessage(body, 503)).toBe(expected);
  });

  it('clips very long messages', () => {
    expect(
      readErrorMessage(JSON.stringify({ Message: 'x'.repeat(5_000) }), 500).length,
    ).toBeLessThan(510);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  it('reads delta seconds and HTTP dates', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
