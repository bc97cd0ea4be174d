/**
 * The most bytes of a document's name kept in the object's user metadata: S3 allows 2 KB of user
 * metadata in all (names and values), so the name keeps half of it.
 */
export const MAX_NAME_METADATA_BYTES = 1024;

/**
 * A document's name as the `document-name` metadata value: percent-encoded as `encodeURIComponent`
 * does (user metadata travels in HTTP headers, which carry ASCII only), then cut to at most 1,024
 * bytes between two characters, never inside one character's escape sequence (`%E2%82%AC` is all
 * kept or all left out). A lone surrogate, which has no UTF-8 form, reads as U+FFFD.
 */
export const documentNameMetadata = (name: string): string => {
  let kept = '';
  for (const character of name.toWellFormed()) {
    const encoded = encodeURIComponent(character);
    // ASCII: a character of the encoding is one byte.
    if (kept.length + encoded.length > MAX_NAME_METADATA_BYTES) break;
    kept += encoded;
  }
  return kept;
};
