import type { PackageDocument, PackageDocuments } from './ports.ts';
import { isRecord, parseJsonObject, workflowStatusOf } from './responses.ts';

/**
 * A workflow details answer's documents and owner, or a string saying what is wrong with it: no
 * `workflow.workflow_status`, no `documents` array, an entry without a positive integer
 * `document_id`, a string `document_name` and an integer `document_order`, a document listed
 * twice, or a `package_owner` that is neither a string nor null. An answer that cannot be read is
 * not taken for a package without documents: archiving it would lose them.
 */
export const packageDocumentsOf = (packageId: number, text: string): PackageDocuments | string => {
  const workflowStatus = workflowStatusOf(text);
  if (workflowStatus === undefined) return 'the answer had no workflow.workflow_status';
  const answer = parseJsonObject(text) ?? {};
  const owner = ownerOf(answer.package_owner);
  if (owner === false) return 'the answer’s package_owner was not a string';
  const listed = answer.documents;
  if (!Array.isArray(listed)) return 'the answer had no documents array';
  const documents: PackageDocument[] = [];
  for (const [index, entry] of listed.entries()) {
    const document = documentOf(entry);
    if (document === undefined) {
      return `documents[${index}] had no valid document_id, document_name and document_order`;
    }
    if (documents.some(({ documentId }) => documentId === document.documentId)) {
      return `documents[${index}] listed document ${document.documentId} again`;
    }
    documents.push(document);
  }
  // Stable: documents of the same order keep SigningHub's order.
  documents.sort((a, b) => a.order - b.order);
  return { packageId, workflowStatus, owner, documents };
};

/** `package_owner`: trimmed; undefined when absent, null or empty; false when not a string. */
const ownerOf = (value: unknown): string | undefined | false => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return false;
  const owner = value.trim();
  return owner === '' ? undefined : owner;
};

const documentOf = (entry: unknown): PackageDocument | undefined => {
  if (!isRecord(entry)) return undefined;
  const { document_id: documentId, document_name: name, document_order: order } = entry;
  if (typeof documentId !== 'number' || !Number.isSafeInteger(documentId) || documentId <= 0) {
    return undefined;
  }
  if (typeof name !== 'string' || typeof order !== 'number' || !Number.isSafeInteger(order)) {
    return undefined;
  }
  return { documentId, name, order };
};
