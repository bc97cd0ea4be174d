import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An answer S3 gives as an error: its HTTP status, its code and a message. */
export class S3Error extends Error {
  override name = 'S3Error';
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe inside an XML element. */
export const xmlText = (value: string | number | boolean): string =>
  String(value).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);

/** `<name>text</name>` for each field that has a value, in order. */
export const xmlFields = (
  fields: Readonly<Record<string, string | number | boolean | undefined>>,
): string =>
  Object.entries(fields)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');

/** A 200 with an XML document whose root is `root`, as S3 answers. */
export const sendXml = (res: ServerResponse, root: string, inner: string): void => {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`;
  res.writeHead(200, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': randomUUID(),
  });
  res.end(body);
};

/**
 * S3's error answer: the XML `<Error>` (none for HEAD, as S3 does). The connection closes when the
 * request's body was not read, so that a large one is not drained for nothing.
 */
export const sendError = (
  res: ServerResponse,
  error: S3Error,
  resource: string,
  head: boolean,
  bodyRead: boolean,
): void => {
  const body = head
    ? ''
    : `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlFields({
        Code: error.code,
        Message: error.message,
        Resource: resource,
        RequestId: randomUUID(),
      })}</Error>`;
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': randomUUID(),
    ...(bodyRead ? {} : { connection: 'close' }),
  });
  res.end(body);
};
