import { describe, expect, it } from 'vitest';
import { finishKey, packageIdOf, packageKey, rejectedKey } from '../../../lib/store/keys.ts';

describe('the table keys', () => {
  it('builds the keys the interface names', () => {
    expect(packageKey(1234)).toEqual({ pk: 'PACKAGE#1234', sk: 'PACKAGE' });
    expect(finishKey({ packageId: 1234, signer: 'alice@example.com' })).toEqual({
      pk: 'PACKAGE#1234',
      sk: 'FINISH#alice@example.com',
    });
    expect(finishKey({ packageId: 1234, signer: undefined })).toEqual({
      pk: 'PACKAGE#1234',
      sk: 'FINISH#-',
    });
    expect(rejectedKey('event-m1')).toEqual({ pk: 'REJECTED#event-m1', sk: 'REJECTED' });
  });

  it('reads the package id back out of a package partition key', () => {
    expect(packageIdOf(packageKey(1234).pk)).toBe(1234);
    expect(packageIdOf(finishKey({ packageId: 7, signer: undefined }).pk)).toBe(7);
  });

  it.each([
    undefined,
    'REJECTED#12',
    'PACKAGE#',
    'PACKAGE#012',
    'PACKAGE#1e3',
    'PACKAGE#-4',
    'PACKAGE#9007199254740993',
    'package#12',
  ])('reads no package id out of %s', (pk) => {
    expect(packageIdOf(pk)).toBeUndefined();
  });
});
