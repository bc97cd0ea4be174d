import { parsePackageId } from '../package-id.ts';

export type PackageIdSearch =
  | { readonly ok: true; readonly packageId: number }
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
    : { ok: true, packageId };
};

const NO_ID: PackageIdSearch = {
  ok: false,
  reason:
    'no package id: expected package_id or document_id in the query, package_id in a JSON or ' +
    'form body, or <DocumentID> in an XML workflow completion report',
};

/**
 * The package id of a callback. The first channel present decides, and a bad value there is
 * refused, never passed over: the query's `package_id`, then its legacy `document_id`, then the
 * body in one format, chosen by Content-Type or, without one, by its first character (JSON
 * `package_id`; form `package_id`, then `document_id`; XML `<DocumentID>`, see readDocumentId).
 */
export const findPackageId = async ({
  query,
  contentType,
  body,
}: CallbackInput): Promise<PackageIdSearch> => {
  if (query.package_id !== undefined) return found(query.package_id, 'query package_id');
  if (query.document_id !== undefined) return found(query.document_id, 'query document_id');
  // Stryker disable next-line ConditionalExpression,MethodExpression,StringLiteral: equivalent for a blank body, which the form reader would also find no id in; the check says so first
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

/**
 * The XML parser is loaded with the first XML report: SigningHub's callbacks are GETs unless an
 * operator asks for the report, and the parser is a tenth of the callback's bundle, kept out of
 * its cold start (the callback answers SigningHub on its latency path).
 */
const fromXml = async (body: string): Promise<PackageIdSearch> => {
  const { readDocumentId } = await import('./xml-report.ts');
  const report = readDocumentId(body);
  if (!report.ok) return report;
  return report.text === undefined ? NO_ID : found(report.text, 'XML DocumentID');
};
