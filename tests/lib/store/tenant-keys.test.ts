import { describe, expect, it } from 'vitest';
import {
  finishKey,
  openPartition,
  packageIdOf,
  packageKey,
  packageRefOf,
  tenantKey,
  tenantOfKey,
} from '../../../lib/store/keys.ts';

describe('a tenant in the table keys', () => {
  it('puts a tenant other than default before the package in the partition key', () => {
    expect(packageKey(1234, 'acme')).toEqual({ pk: 'TENANT#acme#PACKAGE#1234', sk: 'PACKAGE' });
    expect(finishKey({ packageId: 1234, signer: 'a@x.com' }, 'acme')).toEqual({
      pk: 'TENANT#acme#PACKAGE#1234',
      sk: 'FINISH#a@x.com',
    });
    expect(finishKey({ packageId: 1234, signer: undefined }, 'acme').sk).toBe('FINISH#-');
  });

  it('keeps the default tenant’s keys as they were, named or not', () => {
    expect(packageKey(1234, 'default')).toEqual(packageKey(1234));
    expect(packageKey(1234, 'default').pk).toBe('PACKAGE#1234');
    expect(finishKey({ packageId: 1, signer: undefined }, 'default').pk).toBe('PACKAGE#1');
  });

  it('reads the tenant and package back out of either form', () => {
    expect(packageRefOf('PACKAGE#12')).toEqual({ tenant: 'default', packageId: 12 });
    expect(packageRefOf('TENANT#acme#PACKAGE#12')).toEqual({ tenant: 'acme', packageId: 12 });
    expect(packageRefOf(packageKey(9, 'a-1').pk)).toEqual({ tenant: 'a-1', packageId: 9 });
    expect(packageRefOf(packageKey(9, 'a').pk)).toEqual({ tenant: 'a', packageId: 9 });
  });

  it.each([
    undefined,
    'TENANT#default#PACKAGE#12',
    'TENANT##PACKAGE#12',
    'TENANT#Acme#PACKAGE#12',
    'TENANT#acme#PACKAGE#012',
    'TENANT#acme#PACKAGE#9007199254740993',
    'TENANT#acme-#PACKAGE#1',
    'TENANT#acme',
    'XTENANT#acme#PACKAGE#1',
    'TENANT#acme#PACKAGE#1#',
    'REJECTED#1',
  ])('reads no package out of %s', (pk) => {
    expect(packageRefOf(pk)).toBeUndefined();
  });

  it('gives packageIdOf the default tenant’s packages only', () => {
    expect(packageIdOf('PACKAGE#5')).toBe(5);
    expect(packageIdOf('TENANT#acme#PACKAGE#5')).toBeUndefined();
  });

  it('keeps each tenant’s open packages in a partition of the index of their own', () => {
    expect(openPartition('default')).toBe('IN_PROGRESS');
    expect(openPartition('acme')).toBe('IN_PROGRESS#acme');
  });

  it('names each tenant in one registry partition', () => {
    expect(tenantKey('acme')).toEqual({ pk: 'TENANTS', sk: 'TENANT#acme' });
    expect(tenantOfKey(tenantKey('acme').sk)).toBe('acme');
    expect(tenantOfKey('PACKAGE')).toBeUndefined();
    expect(tenantOfKey(undefined)).toBeUndefined();
  });
});
