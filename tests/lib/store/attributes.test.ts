import { describe, expect, it } from 'vitest';
import {
  isFinishStatus,
  isPackageStatus,
  isStringKey,
  lastErrorValue,
  num,
  readLastError,
} from '../../../lib/store/attributes.ts';

/** How the stores read what DynamoDB gives back: a malformed item must not pass for a good one. */
describe('reading attributes', () => {
  it('reads a number attribute, and nothing where there is none', () => {
    expect(num({ attempts: { N: '3' } }, 'attempts')).toBe(3);
    expect(num({ attempts: { N: '0' } }, 'attempts')).toBe(0);
    expect(num({}, 'attempts')).toBeUndefined();
    expect(num({ attempts: { S: '3' } }, 'attempts')).toBeUndefined();
  });

  it.each(['IN_FLIGHT', 'RETRYING', 'SUCCEEDED', 'FAILED'])(
    'knows the finish status %s',
    (status) => {
      expect(isFinishStatus(status)).toBe(true);
      expect(isPackageStatus(status)).toBe(false);
    },
  );

  it.each(['IN_PROGRESS', 'COMPLETED', 'DECLINED', 'DELETED'])(
    'knows the package status %s',
    (status) => {
      expect(isPackageStatus(status)).toBe(true);
      expect(isFinishStatus(status)).toBe(false);
    },
  );

  it.each([undefined, null, '', 'succeeded', 'COMPLETE', 1, ['FAILED']])(
    'takes %j for no status',
    (value) => {
      expect(isFinishStatus(value)).toBe(false);
      expect(isPackageStatus(value)).toBe(false);
    },
  );

  it('reads lastError back as it was written, with or without an HTTP status', () => {
    for (const error of [
      { httpStatus: 403, message: 'Account is disabled' },
      { message: 'timeout' },
    ]) {
      expect(readLastError({ lastError: lastErrorValue(error) })).toEqual(error);
    }
    expect(
      Object.keys(readLastError({ lastError: lastErrorValue({ message: 'x' }) }) ?? {}),
    ).toEqual(['message']);
    expect(readLastError({})).toBeUndefined();
    expect(readLastError({ lastError: { M: {} } })).toEqual({ message: '' });
  });

  it('takes as a key only an object of string attributes', () => {
    expect(isStringKey({ pk: { S: 'PACKAGE#1' }, sk: { S: 'PACKAGE' } })).toBe(true);
    expect(isStringKey({})).toBe(true);
    for (const value of [
      null,
      'PACKAGE#1',
      [{ S: 'PACKAGE#1' }],
      { pk: { N: '1' } },
      { pk: { S: 1 } },
      { pk: null },
      { pk: 'PACKAGE#1' },
      { pk: { S: 'PACKAGE#1' }, sk: { N: '1' } },
    ]) {
      expect(isStringKey(value), JSON.stringify(value)).toBe(false);
    }
  });
});
