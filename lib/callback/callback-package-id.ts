import { parsePackageId } from '../package-id.ts';

export type PackageIdSearch =
  | { readonly ok: true; readonly packageId: number; readonly from: string }
  | { readonly ok: false; readonly reason: string };

export interface CallbackInput {
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
}

const found = (value: unknown, from: string): PackageIdSearch => {
  const packageId = parsePackageId(value);
  return packageId === undefined
    ? { ok: false, reason: `${from} is not a positive integer` }
    : { ok: true, packageId, from };
};

const NO_ID: PackageIdSearch = {
  ok: false,
  reason:
    'no package id: expected package_id or document_id in the query, package_id in a JSON or ' +
    'form body, or <DocumentID> in an XML workflow completion report',
};

// One pass over the text: no backtracking beyond a tag, so a large document costs linear time.
const DOCUMENT_ID =
  /<(?:[A-Za-z_][\w.-]*:)?DocumentID(?:\s[^<>]*)?>([^<]*)<\/(?:[A-Za-z_][\w.-]*:)?DocumentID\s*>/;

/**
 * The package id of a callback: from the query (`package_id`, legacy `document_id`), or the body
 * as JSON, form-encoded or XML. XML is scanned, not parsed: no DTD, no entities, nothing fetched.
 */
export const findPackageId = ({ query, contentType, body }: CallbackInput): PackageIdSearch => {
  if (query.package_id !== undefined) return found(query.package_id, 'query package_id');
  if (query.document_id !== undefined) return found(query.document_id, 'query document_id');
  if (body === undefined || body.trim() === '') return NO_ID;

  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const start = body.trimStart()[0];
  if (type.endsWith('json') || (type === '' && (start === '{' || start === '[')))
    return fromJson(body);
  if (type.endsWith('xml') || (type === '' && start === '<')) return fromXml(body);
  if (type === 'application/x-www-form-urlencoded' || type === '') return fromForm(body);
  return { ok: false, reason: `a body of type ${type} is not understood` };
};

const fromJson = (body: string): PackageIdSearch => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the JSON body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'the JSON body is not an object' };
  }
  const record = parsed as Record<string, unknown>;
  return 'package_id' in record ? found(record.package_id, 'body package_id') : NO_ID;
};

const fromForm = (body: string): PackageIdSearch => {
  const params = new URLSearchParams(body);
  const value = params.get('package_id') ?? params.get('document_id');
  return value === null ? NO_ID : found(value, 'body package_id');
};

const fromXml = (body: string): PackageIdSearch => {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
    return { ok: false, reason: 'XML with a DOCTYPE or entity declarations is not accepted' };
  }
  const match = DOCUMENT_ID.exec(body);
  return match ? found(match[1]?.trim(), 'XML DocumentID') : NO_ID;
};
