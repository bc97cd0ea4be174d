import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Constant-time comparison; hashing first makes the time independent of the lengths too. Given
 * several accepted secrets (the current and the previous during a rotation), it compares with
 * every one of them, whichever matches, so the time does not tell which one did.
 */
export const secretMatches = (
  given: string | undefined,
  accepted: string | readonly string[],
): boolean => {
  if (given === undefined) return false;
  const givenDigest = digest(given);
  let matched = false;
  for (const secret of typeof accepted === 'string' ? [accepted] : accepted) {
    // The comparison first: `||` must not skip it once a secret has matched.
    matched = timingSafeEqual(givenDigest, digest(secret)) || matched;
  }
  return matched;
};
