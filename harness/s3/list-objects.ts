import type { StoredObject } from './object-store.ts';
import { S3Error, xmlFields, xmlText } from './s3-error.ts';

const MAX_KEYS = 1000;

/**
 * ListObjectsV2's `<ListBucketResult>` body over a bucket's objects (in key order): prefix,
 * delimiter (common prefixes), start-after, max-keys and the continuation token (the last key
 * returned, base64), as S3 pages.
 */
export const listObjectsV2 = (
  bucket: string,
  objects: readonly StoredObject[],
  query: URLSearchParams,
): string => {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const rawMax = query.get('max-keys');
  const maxKeys = rawMax === null ? MAX_KEYS : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new S3Error(
      400,
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
    );
  }
  const after = token === null ? startAfter : Buffer.from(token, 'base64').toString('utf8');
  const afterBytes = Buffer.from(after);
  const contents: StoredObject[] = [];
  const prefixes: string[] = [];
  let last = '';
  let truncated = false;
  for (const object of objects) {
    if (!object.key.startsWith(prefix)) continue;
    if (after !== '' && Buffer.compare(Buffer.from(object.key), afterBytes) <= 0) continue;
    const rest = object.key.slice(prefix.length);
    const cut = delimiter === '' ? -1 : rest.indexOf(delimiter);
    const common = cut === -1 ? undefined : prefix + rest.slice(0, cut + delimiter.length);
    if (common !== undefined && prefixes.at(-1) === common) {
      last = object.key;
      continue;
    }
    if (contents.length + prefixes.length >= Math.min(maxKeys, MAX_KEYS)) {
      truncated = true;
      break;
    }
    if (common === undefined) contents.push(object);
    else prefixes.push(common);
    last = object.key;
  }
  return [
    xmlFields({
      Name: bucket,
      Prefix: prefix,
      Delimiter: delimiter === '' ? undefined : delimiter,
      MaxKeys: maxKeys,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: truncated ? Buffer.from(last).toString('base64') : undefined,
      StartAfter: startAfter === '' ? undefined : startAfter,
    }),
    ...contents.map(
      (object) =>
        `<Contents>${xmlFields({
          Key: object.key,
          LastModified: object.lastModified,
          ETag: object.etag,
          Size: object.bytes,
          StorageClass: 'STANDARD',
        })}</Contents>`,
    ),
    ...prefixes.map(
      (common) => `<CommonPrefixes><Prefix>${xmlText(common)}</Prefix></CommonPrefixes>`,
    ),
  ].join('');
};
