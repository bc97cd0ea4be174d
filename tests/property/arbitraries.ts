import fc from 'fast-check';

/** The contract's package id as text: ASCII digits, no sign, exponent, leading zero or space. */
export const isCanonicalId = (text: string): boolean =>
  /^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(Number(text));

export const positiveSafeInteger = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const UNICODE_ZEROS = [0x0660, 0x06f0, 0x0966, 0x09e6, 0xff10, 0x1d7ce, 0x1d7ec];

/** The same number in another script's digits (Arabic-Indic, Devanagari, full width, ...). */
const inUnicodeDigits = (digits: string, zero: number): string =>
  [...digits].map((digit) => String.fromCodePoint(zero + Number(digit))).join('');

/** Text that looks like a package id to a lenient parser, and must be refused. */
export const hostileIdText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(positiveSafeInteger, fc.constantFrom('+', '-', '−', '--'))
    .map(([id, sign]) => `${sign}${id}`),
  fc
    .tuple(positiveSafeInteger, fc.constantFrom('e0', 'E2', 'e+1', 'e-0', '.0', '.', '_0', 'n'))
    .map(([id, suffix]) => `${id}${suffix}`),
  fc
    .tuple(positiveSafeInteger, fc.constantFrom('0', '00', '0x', '0b', '0o'))
    .map(([id, prefix]) => `${prefix}${id}`),
  fc
    .tuple(
      positiveSafeInteger,
      fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u200b', '\0'),
      fc.boolean(),
    )
    .map(([id, space, before]) => (before ? `${space}${id}` : `${id}${space}`)),
  fc
    .tuple(positiveSafeInteger, fc.constantFrom(...UNICODE_ZEROS))
    .map(([id, zero]) => inUnicodeDigits(String(id), zero)),
  fc.constantFrom(
    '',
    '0',
    '9007199254740992',
    '9007199254740993',
    '10000000000000000',
    '99999999999999999999',
    'Infinity',
    'NaN',
    'null',
    'true',
    '[1]',
    '1,2',
    '5;6',
    '5/../../authenticate',
    '5%00',
    '0x10',
    '1_000',
  ),
);

/** Any text at all: printable, binary, or one of the hostile shapes above. */
export const anyIdText: fc.Arbitrary<string> = fc.oneof(
  positiveSafeInteger.map(String),
  hostileIdText,
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/** Values a JSON body may carry where a package id is expected. */
export const anyIdValue: fc.Arbitrary<unknown> = fc.oneof(
  positiveSafeInteger,
  fc.integer(),
  fc.double(),
  anyIdText,
  fc.constantFrom(null, true, false, [], {}, [5], { id: 5 }),
);
