/**
 * DynamoDB's item size, as its documentation defines it for capacity units: per attribute, the
 * UTF-8 bytes of its name plus the size of its value.
 */
export interface AttributeValueLike {
  readonly S?: string | undefined;
  readonly N?: string | undefined;
  readonly B?: Uint8Array | string | undefined;
  readonly BOOL?: boolean | undefined;
  readonly NULL?: boolean | undefined;
  readonly SS?: readonly string[] | undefined;
  readonly NS?: readonly string[] | undefined;
  readonly BS?: readonly (Uint8Array | string)[] | undefined;
  readonly L?: readonly AttributeValueLike[] | undefined;
  readonly M?: Readonly<Record<string, AttributeValueLike>> | undefined;
}

export type ItemImage = Readonly<Record<string, AttributeValueLike>>;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

// A binary value from the SDK is bytes; in JSON it is base64.
const binary = (value: Uint8Array | string): number =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.length;

/** A number: one byte per two significant digits, plus one (leading and trailing zeros trimmed). */
export const numberSize = (text: string): number => {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

export const valueSize = (value: AttributeValueLike): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binary(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((total, each) => total + utf8(each), 0);
  if (value.NS) return value.NS.reduce((total, each) => total + numberSize(each), 0);
  if (value.BS) return value.BS.reduce((total, each) => total + binary(each), 0);
  // A list or map: 3 bytes, and 1 byte per element besides the elements themselves.
  if (value.L) return 3 + value.L.reduce((total, each) => total + 1 + valueSize(each), 0);
  if (value.M) return 3 + Object.keys(value.M).length + itemSize(value.M);
  return 0;
};

export const itemSize = (item: ItemImage): number =>
  Object.entries(item).reduce((total, [name, value]) => total + utf8(name) + valueSize(value), 0);

/** Write request units of one write: 1 per KB of the larger of the item before and after. */
export const writeUnits = (before: ItemImage | undefined, after: ItemImage | undefined): number =>
  Math.max(
    1,
    Math.ceil(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0) / 1024),
  );
