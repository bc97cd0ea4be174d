import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { secretMatches } from '../../lib/callback/secret-matches.ts';
import { sameLengthWrongSecret } from '../support/soak-factories.ts';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const SECRET = 'cb-secret-0123456789abcdef';

beforeEach(() => {
  timingSafeEqual.mockClear();
});

describe('the callback secret comparison', () => {
  it('matches exactly the same string, whatever the strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(secretMatches(a, b)).toBe(a === b);
        expect(secretMatches(a, a)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['the same length, last character changed', sameLengthWrongSecret(SECRET)],
    ['the same length, first character changed', `X${SECRET.slice(1)}`],
    ['a prefix of the secret', SECRET.slice(0, 5)],
    ['the secret with more after it', `${SECRET}${SECRET}`],
    ['the secret in upper case', SECRET.toUpperCase()],
    ['the secret with a trailing space', `${SECRET} `],
    ['the secret with a NUL after it', `${SECRET}\0`],
    ['the secret percent-encoded', encodeURIComponent(`${SECRET}/`)],
    ['an empty string', ''],
  ])('refuses %s after one constant-time comparison of equal-length digests', (_, given) => {
    expect(secretMatches(given, SECRET)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] ?? [];
    expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
    expect((a as Buffer).length).toBe((b as Buffer).length);
  });

  it('refuses a missing secret without comparing anything', () => {
    expect(secretMatches(undefined, SECRET)).toBe(false);
  });
});

describe('the callback secret comparison during a rotation', () => {
  const PREVIOUS = 'cb-previous-0123456789abcdef';

  it.each([
    ['the current secret', SECRET, true],
    ['the previous secret', PREVIOUS, true],
    ['neither', sameLengthWrongSecret(SECRET), false],
  ])('answers %s with one constant-time comparison per accepted secret', (_, given, matches) => {
    expect(secretMatches(given, [SECRET, PREVIOUS])).toBe(matches);
    // Every accepted secret is compared, whichever matches: the time does not tell which one did.
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('accepts nothing when nothing is accepted', () => {
    expect(secretMatches(SECRET, [])).toBe(false);
  });
});
