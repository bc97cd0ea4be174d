import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../../lib/store/truncate-utf8.ts';

describe('truncateUtf8', () => {
  it('keeps short text whole', () => {
    expect(truncateUtf8('héllo', 10)).toEqual({
      text: 'héllo',
      originalBytes: 6,
      truncated: false,
    });
  });

  it('never splits a multi-byte character', () => {
    const result = truncateUtf8('€€€', 7); // 9 bytes; a cut at 7 falls inside the third euro sign
    expect(result).toEqual({ text: '€€', originalBytes: 9, truncated: true });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(7);
  });
});
