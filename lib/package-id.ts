/**
 * A package id as SigningHub uses it: a positive safe integer, given as a JSON number or a plain
 * decimal string (ASCII digits, no sign, exponent, leading zero or white space).
 */
export const parsePackageId = (value: unknown): number | undefined => {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
  if (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value)) {
    const id = Number(value);
    return Number.isSafeInteger(id) ? id : undefined;
  }
  return undefined;
};
