import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** What an XML workflow completion report says its DocumentID is; `text` is absent without one. */
export type ReportDocumentId =
  | { readonly ok: true; readonly text: string | undefined }
  | { readonly ok: false; readonly reason: string };

const MIB = 1024 * 1024;
// In characters (bytes, for an ASCII report); above API Gateway's 10 MB, so real reports pass.
const MAX_LENGTH = 16 * MIB;
const MAX_DEPTH = 64;
const TEXT = '#text';
const DEPTH_ERROR = 'Maximum nested tags exceeded';

// Markup declarations belong in a DOCTYPE; any `<!` but a comment or CDATA is one, or a fake.
const DECLARATION = /<!(?!--|\[CDATA\[)/;
const DOCUMENT_ID = /^(?:[A-Za-z_][\w.-]*:)?DocumentID$/;

const parser = new XMLParser({
  preserveOrder: true, // a list in document order: the first DocumentID is the first in the text
  // Stryker disable next-line BooleanLiteral: equivalent, kept attributes sit under ':@' as '@_'-named values, which neither DOCUMENT_ID nor textOf reads; set anyway so no attribute is parsed
  ignoreAttributes: true, // attribute values never become elements or text
  processEntities: false, // no DTD, no entity expanded: `&#49;` stays five characters
  // Stryker disable next-line BooleanLiteral: equivalent while processEntities is false, which turns every entity off
  htmlEntities: false,
  parseTagValue: false, // text stays text: "012" or "0x0C" must not become 12
  trimValues: false, // trimmed once below, the same way as the query
  ignoreDeclaration: true,
  // Stryker disable next-line BooleanLiteral: equivalent, a kept instruction is a node named '?…', which DOCUMENT_ID's anchor refuses; dropped anyway
  ignorePiTags: true, // a processing instruction is dropped with all it contains
  commentPropName: false, // comments are dropped
  cdataPropName: false, // a CDATA section is text of the element around it
  stopNodes: ['..Document'], // the report's base64 PDF or ZIP: kept raw, ~20x faster than scanned
  maxNestedTags: MAX_DEPTH - 1, // the parser allows one level more than this number
});

const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const entries = (node: unknown): [string, unknown][] =>
  typeof node === 'object' && node !== null ? Object.entries(node) : [];

/** The text of the nodes as XPath's string() reads it: text and CDATA, descendants included. */
const textOf = (nodes: unknown): string =>
  list(nodes)
    .flatMap(entries)
    .map(([name, value]) =>
      name === TEXT ? (typeof value === 'string' ? value : '') : textOf(value),
    )
    .join('');

/** The text of every DocumentID element, in document order. */
const documentIds = (nodes: unknown, into: string[] = []): string[] => {
  for (const [name, children] of list(nodes).flatMap(entries)) {
    if (name === TEXT) continue;
    if (DOCUMENT_ID.test(name)) into.push(textOf(children).trim());
    documentIds(children, into);
  }
  return into;
};

const refused = (reason: string): ReportDocumentId => ({ ok: false, reason });

// Parsed first: its depth bound stops a deep document before the validator walks all of it.
const parse = (xml: string): { readonly nodes: unknown } | { readonly reason: string } => {
  try {
    const nodes: unknown = parser.parse(xml);
    // The parser forgives unclosed and mismatched tags; the validator does not.
    const valid = XMLValidator.validate(xml);
    if (valid === true) return { nodes };
    const { code, line, col } = valid.err;
    return { reason: `the XML body is not well-formed (${code} at line ${line}, column ${col})` };
  } catch (error) {
    return error instanceof Error && error.message === DEPTH_ERROR
      ? { reason: `XML nested deeper than ${MAX_DEPTH} elements is not accepted` }
      : { reason: 'the XML body is not well-formed' };
  }
};

/**
 * The DocumentID of a report: the first DocumentID element (any namespace prefix) in document
 * order, refused if another one disagrees. Comments, CDATA, processing instructions and
 * attributes are never elements; nothing is fetched or expanded; size and depth are bounded.
 */
export const readDocumentId = (xml: string): ReportDocumentId => {
  if (xml.length > MAX_LENGTH) {
    return refused(`an XML body over ${MAX_LENGTH / MIB} MiB is not accepted`);
  }
  if (DECLARATION.test(xml)) {
    return refused('XML with a DOCTYPE, entity or other declaration is not accepted');
  }
  const parsed = parse(xml);
  if ('reason' in parsed) return refused(parsed.reason);
  const [first, ...others] = documentIds(parsed.nodes);
  if (others.some((other) => other !== first)) {
    return refused('the XML report has DocumentID elements that disagree');
  }
  return { ok: true, text: first };
};
