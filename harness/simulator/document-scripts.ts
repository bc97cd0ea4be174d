import type { DocumentBodyFault, DocumentScript } from './types.ts';

/**
 * Answers queued by a test for a package's document calls, first in first out: those for one
 * document, then those for whichever document of the package is asked for.
 */
export interface DocumentScriptQueue {
  add(packageId: number, documentId: number | undefined, scripts: DocumentScript[]): void;
  /** The answer the next call for this document would get, left in the queue. */
  peek(packageId: number, documentId: number): DocumentScript | undefined;
  /** The answer the next call for this document gets, taken from the queue. */
  take(packageId: number, documentId: number): DocumentScript | undefined;
  /** How many answers are queued for the document (or, undefined, for any of the package's). */
  pending(packageId: number, documentId: number | undefined): number;
  /** Drops every answer queued for a package's documents; answers how many there were. */
  clearPackage(packageId: number): number;
  clear(): void;
}

export const isBodyFault = (script: DocumentScript): script is DocumentBodyFault =>
  'stallAfterBytes' in script || 'cutAfterBytes' in script;

export function createDocumentScripts(): DocumentScriptQueue {
  // Keyed by package, then by document id ('' for any document of the package).
  const byPackage = new Map<number, Map<number | '', DocumentScript[]>>();
  const queueOf = (packageId: number, documentId: number): DocumentScript[] | undefined => {
    const queues = byPackage.get(packageId);
    const own = queues?.get(documentId);
    return own !== undefined && own.length > 0 ? own : queues?.get('');
  };
  return {
    add(packageId, documentId, scripts) {
      const queues = byPackage.get(packageId) ?? new Map<number | '', DocumentScript[]>();
      byPackage.set(packageId, queues);
      const key = documentId ?? '';
      queues.set(key, [...(queues.get(key) ?? []), ...scripts]);
    },
    peek(packageId, documentId) {
      return queueOf(packageId, documentId)?.[0];
    },
    take(packageId, documentId) {
      return queueOf(packageId, documentId)?.shift();
    },
    pending(packageId, documentId) {
      return byPackage.get(packageId)?.get(documentId ?? '')?.length ?? 0;
    },
    clearPackage(packageId) {
      const queues = byPackage.get(packageId);
      byPackage.delete(packageId);
      return [...(queues?.values() ?? [])].reduce((total, queue) => total + queue.length, 0);
    },
    clear() {
      byPackage.clear();
    },
  };
}
