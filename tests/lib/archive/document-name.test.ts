import { describe, expect, it } from 'vitest';
import {
  documentNameMetadata,
  MAX_NAME_METADATA_BYTES,
} from '../../../lib/archive/document-name.ts';

describe('documentNameMetadata', () => {
  it('percent-encodes the name as encodeURIComponent does', () => {
    expect(documentNameMetadata('Contract 2026/Ü€ (final).pdf')).toBe(
      encodeURIComponent('Contract 2026/Ü€ (final).pdf'),
    );
    expect(decodeURIComponent(documentNameMetadata('Vertrag für Müller.pdf'))).toBe(
      'Vertrag für Müller.pdf',
    );
  });

  it('keeps a name whose encoding is exactly the limit, and cuts one byte more', () => {
    const exact = 'a'.repeat(MAX_NAME_METADATA_BYTES);
    expect(documentNameMetadata(exact)).toBe(exact);
    expect(documentNameMetadata(`${exact}b`)).toBe(exact);
  });

  it('cuts a long name of multi-byte characters between two whole escape sequences', () => {
    // 2,000 characters of 3 UTF-8 bytes each: 9 encoded bytes per character.
    const name = '€'.repeat(2_000);
    const kept = documentNameMetadata(name);
    expect(kept.length).toBeLessThanOrEqual(MAX_NAME_METADATA_BYTES);
    expect(kept.length).toBe(Math.floor(MAX_NAME_METADATA_BYTES / 9) * 9);
    expect(decodeURIComponent(kept)).toBe('€'.repeat(113));
  });

  it('never cuts inside one character, even when the limit falls in its sequence', () => {
    // 1,020 ASCII bytes, then a 4-byte character (12 encoded bytes) that would cross the limit.
    const name = `${'x'.repeat(1_020)}😀tail`;
    expect(documentNameMetadata(name)).toBe('x'.repeat(1_020));
    // A character of four UTF-8 bytes (a surrogate pair in JavaScript) is kept whole or not at all.
    const pairs = documentNameMetadata('😀'.repeat(200));
    expect(pairs.length % 12).toBe(0);
    expect(decodeURIComponent(pairs)).toBe('😀'.repeat(pairs.length / 12));
  });

  it('reads a lone surrogate as U+FFFD instead of throwing', () => {
    expect(documentNameMetadata('a\uD800b')).toBe(encodeURIComponent('a\uFFFDb'));
  });
});
