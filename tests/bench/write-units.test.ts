import { describe, expect, it } from 'vitest';
import { itemSize, numberSize, writeUnits } from '../../bench/cost/item-size.ts';
import { unitsByOwner } from '../../bench/cost/stream-units.ts';
import { changeUnits, type IndexShape, indexUnits } from '../../bench/cost/write-units.ts';

const OPEN_PACKAGES: IndexShape = {
  name: 'open-packages',
  keys: ['openStatus', 'updatedAt'],
  projection: 'KEYS_ONLY',
};
const TABLE_KEYS = ['pk', 'sk'];

const packageItem = (updatedAt: string, open: boolean) => ({
  pk: { S: 'PACKAGE#1001' },
  sk: { S: 'PACKAGE' },
  status: { S: open ? 'IN_PROGRESS' : 'COMPLETED' },
  ...(open ? { openStatus: { S: 'IN_PROGRESS' } } : {}),
  updatedAt: { S: updatedAt },
});

describe("DynamoDB's item size", () => {
  it('counts names and string values in UTF-8 bytes', () => {
    // "pk" 2 + "PACKAGE#1" 9; "é" is 2 bytes.
    expect(itemSize({ pk: { S: 'PACKAGE#1' } })).toBe(11);
    expect(itemSize({ é: { S: 'é' } })).toBe(4);
  });

  it('counts a number as one byte per two significant digits, plus one', () => {
    expect(numberSize('1001')).toBe(3);
    expect(numberSize('100')).toBe(2);
    expect(numberSize('0.00125')).toBe(3);
    expect(numberSize('-12345')).toBe(4);
  });

  it('counts booleans and nulls as one byte, lists and maps with their overhead', () => {
    expect(itemSize({ a: { BOOL: true }, b: { NULL: true } })).toBe(4);
    // 3 + (1 + 1) + (1 + 1) for two one-byte elements; "l" 1.
    expect(itemSize({ l: { L: [{ S: 'x' }, { S: 'y' }] } })).toBe(8);
    // 3 + 1 per element + the inner item ("k" + "v").
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(7);
  });

  it('charges one write unit per started KB of the larger image', () => {
    const small = { pk: { S: 'x' } };
    const large = { pk: { S: 'x'.repeat(1500) } };
    expect(writeUnits(undefined, small)).toBe(1);
    expect(writeUnits(small, large)).toBe(2);
    expect(writeUnits(large, small)).toBe(2);
    expect(writeUnits({ pk: { S: 'x'.repeat(1022) } }, undefined)).toBe(1);
    expect(writeUnits({ pk: { S: 'x'.repeat(1023) } }, undefined)).toBe(2);
  });
});

describe('the index of open packages', () => {
  const before = packageItem('2026-12-01T10:00:00.000Z', true);

  it('costs one write when an item enters it and one when it leaves', () => {
    expect(indexUnits({ NewImage: before }, TABLE_KEYS, OPEN_PACKAGES)).toBe(1);
    const closed = packageItem('2026-12-01T10:05:00.000Z', false);
    expect(indexUnits({ OldImage: before, NewImage: closed }, TABLE_KEYS, OPEN_PACKAGES)).toBe(1);
  });

  it('costs two writes, a delete and a put, when its sort key changes', () => {
    const later = packageItem('2026-12-01T10:05:00.000Z', true);
    expect(indexUnits({ OldImage: before, NewImage: later }, TABLE_KEYS, OPEN_PACKAGES)).toBe(2);
  });

  it('costs nothing for a change it does not project, or an item it never held', () => {
    const counted = { ...before, callbacks: { N: '2' } };
    expect(indexUnits({ OldImage: before, NewImage: counted }, TABLE_KEYS, OPEN_PACKAGES)).toBe(0);
    const finish = { pk: { S: 'PACKAGE#1001' }, sk: { S: 'FINISH#-' } };
    expect(indexUnits({ NewImage: finish }, TABLE_KEYS, OPEN_PACKAGES)).toBe(0);
  });

  it('costs one write for a projected attribute that changes with the keys unchanged', () => {
    const all: IndexShape = { ...OPEN_PACKAGES, projection: 'ALL' };
    const counted = { ...before, callbacks: { N: '2' } };
    expect(indexUnits({ OldImage: before, NewImage: counted }, TABLE_KEYS, all)).toBe(1);
  });

  it('adds the table and the index for one change', () => {
    const later = packageItem('2026-12-01T10:05:00.000Z', true);
    expect(changeUnits({ OldImage: before, NewImage: later }, TABLE_KEYS, [OPEN_PACKAGES])).toEqual(
      {
        table: 1,
        index: 2,
      },
    );
  });
});

describe('write units by owner', () => {
  it('sums the changes by whose package they touched, and skips the others', () => {
    const open = packageItem('2026-12-01T10:00:00.000Z', true);
    const changes = [
      { Keys: { pk: open.pk }, NewImage: open },
      { Keys: { pk: { S: 'PACKAGE#2002' } }, NewImage: { pk: { S: 'PACKAGE#2002' } } },
      { Keys: { pk: { S: 'REJECTED#x' } }, NewImage: { pk: { S: 'REJECTED#x' } } },
    ];
    const owners = unitsByOwner(
      changes,
      (id) => (id === 1001 ? 'ours' : id === 2002 ? 'peer' : undefined),
      TABLE_KEYS,
      [OPEN_PACKAGES],
    );
    expect(owners.get('ours')).toMatchObject({ changes: 1, table: 1, index: 1 });
    expect(owners.get('peer')).toMatchObject({ changes: 1, table: 1, index: 0 });
    expect([...owners.keys()].sort()).toEqual(['ours', 'peer']);
  });
});
