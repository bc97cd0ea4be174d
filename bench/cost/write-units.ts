import { type ItemImage, itemSize, writeUnits } from './item-size.ts';

/** A global secondary index as the table definition gives it. */
export interface IndexShape {
  readonly name: string;
  /** Its partition and sort key attributes. */
  readonly keys: readonly string[];
  readonly projection: 'KEYS_ONLY' | 'INCLUDE' | 'ALL';
  /** For INCLUDE: the attributes projected besides the keys. */
  readonly included?: readonly string[];
}

/** One change as a NEW_AND_OLD_IMAGES stream record shows it. */
export interface Change {
  readonly OldImage?: ItemImage | undefined;
  readonly NewImage?: ItemImage | undefined;
}

export interface ChangeUnits {
  readonly table: number;
  readonly index: number;
}

// DynamoDB adds 100 bytes to each index entry for its own bookkeeping.
const INDEX_ENTRY_OVERHEAD = 100;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The index entry an item has, or undefined when it lacks a key of the index (sparse index). */
const entryOf = (
  image: ItemImage | undefined,
  tableKeys: readonly string[],
  index: IndexShape,
): ItemImage | undefined => {
  if (!image || index.keys.some((key) => image[key] === undefined)) return undefined;
  if (index.projection === 'ALL') return image;
  const names = [...tableKeys, ...index.keys, ...(index.included ?? [])];
  return Object.fromEntries(names.flatMap((name) => (image[name] ? [[name, image[name]]] : [])));
};

const entryUnits = (entry: ItemImage): number =>
  Math.max(1, Math.ceil((itemSize(entry) + INDEX_ENTRY_OVERHEAD) / 1024));

/**
 * What an index pays for one change of the table: a write when an entry appears, disappears or
 * changes a projected attribute, and two (a delete and a put) when the index's key changes.
 */
export const indexUnits = (
  change: Change,
  tableKeys: readonly string[],
  index: IndexShape,
): number => {
  const before = entryOf(change.OldImage, tableKeys, index);
  const after = entryOf(change.NewImage, tableKeys, index);
  if (!before && !after) return 0;
  if (!before && after) return entryUnits(after);
  if (before && !after) return entryUnits(before);
  if (!before || !after) return 0;
  const keyChanged = index.keys.some((key) => !same(before[key], after[key]));
  if (keyChanged) return entryUnits(before) + entryUnits(after);
  return same(before, after) ? 0 : Math.max(entryUnits(before), entryUnits(after));
};

/** The write request units of one change: the table's, and its indexes'. */
export const changeUnits = (
  change: Change,
  tableKeys: readonly string[],
  indexes: readonly IndexShape[],
): ChangeUnits => ({
  table: writeUnits(change.OldImage, change.NewImage),
  index: indexes.reduce((total, index) => total + indexUnits(change, tableKeys, index), 0),
});
