export interface Truncated {
  readonly text: string;
  readonly originalBytes: number;
  readonly truncated: boolean;
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export const truncateUtf8 = (text: string, maxBytes: number): Truncated => {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, originalBytes: bytes.length, truncated: false };
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return {
    text: bytes.subarray(0, end).toString('utf8'),
    originalBytes: bytes.length,
    truncated: true,
  };
};
