import type { IncomingMessage } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import type { ListedPart } from './multipart.ts';
import type { StoredObject } from './object-store.ts';
import { S3Error } from './s3-error.ts';

/** What the stand-in tells requests apart by (and counts). */
export type S3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'HeadObject'
  | 'GetObject'
  | 'ListObjectsV2'
  | 'Unsupported';

export interface Request {
  readonly operation: S3Operation;
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
}

/** A path's part, percent-decoded; as sent when it is not valid percent-encoding. */
const decoded = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

export const parseRequest = (req: IncomingMessage): Request => {
  // The path as sent: a URL would resolve `..` in a key, which S3 keeps as it is.
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? '' : target.slice(mark + 1));
  const [, bucket = '', ...rest] = path.split('/');
  const key = decoded(rest.join('/'));
  const method = req.method ?? '';
  const has = (name: string) => query.has(name);
  const operation = ((): S3Operation => {
    if (key === '')
      return method === 'GET' && query.get('list-type') === '2' ? 'ListObjectsV2' : 'Unsupported';
    if (method === 'PUT' && has('uploadId') && has('partNumber')) return 'UploadPart';
    if (method === 'PUT' && !has('uploadId') && req.headers['x-amz-copy-source'] === undefined)
      return 'PutObject';
    if (method === 'POST' && has('uploads')) return 'CreateMultipartUpload';
    if (method === 'POST' && has('uploadId')) return 'CompleteMultipartUpload';
    if (method === 'DELETE' && has('uploadId')) return 'AbortMultipartUpload';
    if (method === 'HEAD' && query.size === 0) return 'HeadObject';
    if (method === 'GET' && !has('uploadId')) return 'GetObject';
    return 'Unsupported';
  })();
  return { operation, bucket: decoded(bucket), key, query };
};

export const isSigned = (req: IncomingMessage, query: URLSearchParams): boolean =>
  String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ') ||
  query.has('X-Amz-Signature');

export const userMetadata = (req: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(req.headers)
      .filter(([name, value]) => name.startsWith('x-amz-meta-') && typeof value === 'string')
      .map(([name, value]) => [name.slice('x-amz-meta-'.length), String(value)]),
  );

export const contentTypeOf = (req: IncomingMessage): string =>
  String(req.headers['content-type'] ?? 'binary/octet-stream');

export const objectHeaders = (object: StoredObject): Record<string, string | number> => ({
  'content-type': object.contentType,
  'content-length': object.bytes,
  etag: object.etag,
  'last-modified': new Date(object.lastModified).toUTCString(),
  'accept-ranges': 'bytes',
  ...Object.fromEntries(
    Object.entries(object.metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]),
  ),
});

const XML = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Part' });

/** The parts a CompleteMultipartUpload's XML lists. */
export const listedParts = (body: Buffer): ListedPart[] => {
  const parsed = XML.parse(body.toString('utf8')) as {
    CompleteMultipartUpload?: { Part?: { PartNumber?: string; ETag?: string }[] };
  };
  const parts = parsed.CompleteMultipartUpload?.Part;
  if (!parts) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed.');
  return parts.map((part) => ({ partNumber: Number(part.PartNumber), etag: String(part.ETag) }));
};
