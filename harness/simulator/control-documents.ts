import type { ServerResponse } from 'node:http';
import {
  isPackageId,
  isRecord,
  readDocumentScript,
  readDocumentSettings,
  readScriptedResponses,
} from './control-bodies.ts';
import type { Enterprise } from './enterprise.ts';
import { parsePackageId } from './packages.ts';
import { messageReply, send } from './reply.ts';

const DOCUMENTS_PATTERN = /^\/_simulator\/packages\/([^/]+)\/documents$/;

/**
 * The control API's routes for documents, for one enterprise: GET and PUT
 * /_simulator/packages/{id}/documents (the package's owner and documents), GET
 * /_simulator/downloads, and POST /_simulator/scripts with `operation: document`. False when the
 * request is none of these.
 */
export function controlDocuments(
  enterprise: Enterprise,
  request: { method: string; path: string; body: unknown },
  res: ServerResponse,
  log: (line: string) => void,
): boolean {
  const { method, path, body } = request;
  const { packages, documentScripts, callLog } = enterprise;
  const named = enterprise.basePath === '' ? '' : `${enterprise.name}: `;
  const field = (name: string): unknown => (isRecord(body) ? body[name] : undefined);
  const bad = (message: string) => {
    send(res, messageReply(400, message));
    return true;
  };

  if (path === '/_simulator/downloads' && method === 'GET') {
    send(res, { status: 200, body: { downloads: callLog.downloads() } });
    return true;
  }
  if (path === '/_simulator/scripts' && method === 'POST' && field('operation') === 'document') {
    const packageId = field('packageId');
    const documentId = field('documentId') ?? undefined;
    if (!isPackageId(packageId)) return bad('packageId must be a positive integer');
    if (documentId !== undefined && !isPackageId(documentId)) {
      return bad('documentId must be a positive integer (none: any document of the package)');
    }
    const scripts = readScriptedResponses(field('responses'), readDocumentScript);
    if (typeof scripts === 'string') return bad(scripts);
    documentScripts.add(packageId, documentId, scripts);
    const queued = documentScripts.pending(packageId, documentId);
    const which = documentId === undefined ? '' : ` document ${documentId} of`;
    log(`${named}scripted ${scripts.length} document answer(s) for${which} package ${packageId}`);
    send(res, {
      status: 201,
      body: { packageId, operation: 'document', documentId: documentId ?? null, queued },
    });
    return true;
  }
  const match = DOCUMENTS_PATTERN.exec(path);
  if (!match || (method !== 'GET' && method !== 'PUT')) return false;
  const packageId = parsePackageId(match[1] ?? '');
  if (packageId === undefined) return bad('The package id is not valid');
  if (method === 'PUT') {
    const owner = field('owner');
    const documents = field('documents');
    if (owner === undefined && documents === undefined) return bad('give documents, owner or both');
    if (owner !== undefined && owner !== null && typeof owner !== 'string') {
      return bad('owner must be an email, an empty string or null');
    }
    const settings = documents === undefined ? undefined : readDocumentSettings(documents);
    if (typeof settings === 'string') return bad(settings);
    if (settings !== undefined) packages.setDocuments(packageId, settings);
    if (owner !== undefined) packages.setOwner(packageId, owner);
    log(`${named}documents of package ${packageId} set`);
  }
  const view = packages.documentsOf(packageId);
  send(res, view ? { status: 200, body: view } : messageReply(404, 'Document not found'));
  return true;
}
