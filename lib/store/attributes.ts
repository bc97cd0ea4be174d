import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FinishStatus, LastError, PackageStatus } from './items.ts';
import type { TableKey } from './keys.ts';

/** An item as DynamoDB returns it. */
export type Item = Record<string, AttributeValue>;

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

export const keyOf = ({ pk, sk }: TableKey): Item => ({ pk: s(pk), sk: s(sk) });

export const str = (item: Item, name: string): string | undefined => item[name]?.S;
export const num = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
};

const FINISH_STATUSES: readonly string[] = ['IN_FLIGHT', 'RETRYING', 'SUCCEEDED', 'FAILED'];
const PACKAGE_STATUSES: readonly string[] = ['IN_PROGRESS', 'COMPLETED', 'DECLINED', 'DELETED'];

export const isFinishStatus = (value: unknown): value is FinishStatus =>
  typeof value === 'string' && FINISH_STATUSES.includes(value);

export const isPackageStatus = (value: unknown): value is PackageStatus =>
  typeof value === 'string' && PACKAGE_STATUSES.includes(value);

export const lastErrorValue = (error: LastError): AttributeValue => ({
  M: {
    message: s(error.message),
    ...(error.httpStatus === undefined ? {} : { httpStatus: n(error.httpStatus) }),
  },
});

/**
 * An attribute as DynamoDB returns it, or as a stream record's image holds it (the Lambda event's
 * type and the SDK's both fit): what reading a package item's maps and lists needs of it.
 */
export interface AttributeLike {
  readonly S?: string | undefined;
  readonly N?: string | undefined;
  readonly L?: readonly AttributeLike[] | undefined;
  readonly M?: Readonly<Record<string, AttributeLike>> | undefined;
}

/** An item, or a stream record's image. */
export type ItemLike = Readonly<Record<string, AttributeLike | undefined>>;

/** The number an attribute holds, when it holds one. */
export const numberOf = (value: AttributeLike | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/** An error map `{httpStatus?, message}`: `lastError`, or the attribute named. */
export const readLastError = (item: ItemLike, name = 'lastError'): LastError | undefined => {
  const map = item[name]?.M;
  if (!map) return undefined;
  const httpStatus = numberOf(map.httpStatus);
  const message = map.message?.S ?? '';
  return httpStatus === undefined ? { message } : { httpStatus, message };
};

/** A DynamoDB key of string attributes, as a query's LastEvaluatedKey is for this table. */
export const isStringKey = (value: unknown): value is Item =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every(
    (attribute: unknown) =>
      typeof attribute === 'object' &&
      attribute !== null &&
      'S' in attribute &&
      typeof attribute.S === 'string',
  );
