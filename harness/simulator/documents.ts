import type { ServerResponse } from 'node:http';
import { documentBytes } from './document-bytes.ts';
import { isBodyFault } from './document-scripts.ts';
import type { Enterprise } from './enterprise.ts';
import type { PackageState } from './packages.ts';
import { messageReply, type Reply, send } from './reply.ts';
import { playScripted, scriptedStatus } from './scripts.ts';
import type { DocumentBodyFault, SimulatedDocument, SimulatorCall } from './types.ts';

/** SigningHub's refusal of a document: `{"Error", "Message"}`. */
const forbidden = (message: string): Reply => ({
  status: 403,
  body: { Error: 'Forbidden', Message: message },
});

/**
 * Whether the token's user may have the package's documents: its owner or one of its signers
 * (emails compared without regard to case). The account's own token ('') only when the package has
 * no owner: SigningHub refuses a document to a user it does not belong to, and the archive reads
 * each as the package's owner.
 */
const belongsTo = (state: PackageState, tokenScope: string): boolean => {
  const user = tokenScope.toLowerCase();
  const owner = (state.owner ?? '').toLowerCase();
  if (user === '') return owner === '';
  return user === owner || state.signers.some((signer) => signer.email.toLowerCase() === user);
};

/**
 * GET /{v3|v4}/packages/{id}/documents/{documentId}, after the host's refusals: a scripted answer
 * first, before any token is checked (a body fault waits for a call that gets its 200); then 401
 * without a valid token, 404 Document not found for a package or document that does not exist,
 * 403 for a package still in DRAFT or a user the document does not belong to; and otherwise 200
 * with the document's bytes as application/octet-stream, made and sent chunk by chunk as the
 * client takes them.
 */
export function serveDocument(
  enterprise: Enterprise,
  res: ServerResponse,
  call: SimulatorCall,
  tokenScope: string | undefined,
): void {
  const { documentScripts, callLog } = enterprise;
  const answer = (reply: Reply) => {
    callLog.end(call, reply.status);
    send(res, reply);
  };
  const { packageId, documentId } = call;
  if (packageId === undefined) {
    answer(messageReply(400, 'The package id is not valid'));
    return;
  }
  if (documentId === undefined) {
    answer(messageReply(400, 'The document id is not valid'));
    return;
  }
  const next = documentScripts.peek(packageId, documentId);
  if (next !== undefined && !isBodyFault(next)) {
    documentScripts.take(packageId, documentId);
    callLog.end(call, scriptedStatus(next));
    playScripted(res, next);
    return;
  }
  const document = findDocument(enterprise, packageId, documentId, tokenScope);
  if ('status' in document) {
    answer(document);
    return;
  }
  // A body fault queued first is this call's; taken only now that the call gets its 200.
  const fault = next === undefined ? undefined : documentScripts.take(packageId, documentId);
  call.download = { bytes: document.bytes, bytesSent: 0, end: 'sending' };
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(document.bytes),
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`,
  });
  callLog.end(call, 200);
  const bodyFault = fault !== undefined && isBodyFault(fault) ? fault : undefined;
  sendBody(res, enterprise.name, packageId, document, bodyFault, call).catch(() => res.destroy());
}

/** The document a call may have, or SigningHub's refusal. */
function findDocument(
  { packages }: Enterprise,
  packageId: number,
  documentId: number,
  tokenScope: string | undefined,
): Reply | SimulatedDocument {
  if (tokenScope === undefined) return messageReply(401, 'Request authorization denied');
  const state = packages.find(packageId);
  const document = state?.documents.find((each) => each.documentId === documentId);
  if (!state || state.deleted || !document) return messageReply(404, 'Document not found');
  if (state.workflowStatus === 'DRAFT') {
    return forbidden('Downloading document is not allowed in draft mode');
  }
  if (!belongsTo(state, tokenScope)) return forbidden('Document does not belong to user');
  return document;
}

/**
 * Writes the document's bytes as the client takes them (waiting for `drain`), so a document of
 * any size costs a few chunks of memory; plays the body fault at its byte; records in the call
 * what was sent and how it ended.
 */
async function sendBody(
  res: ServerResponse,
  tenant: string,
  packageId: number,
  document: SimulatedDocument,
  fault: DocumentBodyFault | undefined,
  call: SimulatorCall,
): Promise<void> {
  const download = call.download;
  if (!download) return;
  res.once('finish', () => {
    download.end = 'complete';
  });
  res.once('close', () => {
    if (download.end === 'sending') download.end = 'abandoned';
  });
  const gone = () => {
    // The client may have gone before the listeners above were added.
    if (res.destroyed && download.end === 'sending') download.end = 'abandoned';
    return download.end !== 'sending';
  };
  const write = async (bytes: Uint8Array): Promise<boolean> => {
    if (gone()) return false;
    download.bytesSent += bytes.byteLength;
    if (!res.write(bytes)) await until(res, 'drain');
    return !gone();
  };
  const at = fault === undefined ? undefined : faultByte(fault);
  let faulted = false;
  /** Plays the fault; false when the body is over (cut off, or the client went). */
  const playFault = async (): Promise<boolean> => {
    faulted = true;
    if (fault === undefined) return true;
    if ('cutAfterBytes' in fault) {
      download.end = 'cut';
      // What was written goes out first; then the connection ends, short of content-length.
      res.socket?.end();
      return false;
    }
    await until(res, fault.stallMs);
    return !gone();
  };
  const { documentId, bytes } = document;
  for await (const chunk of documentBytes({ tenant, packageId, documentId, bytes })) {
    let rest = chunk;
    if (at !== undefined && !faulted && download.bytesSent + rest.byteLength >= at) {
      const head = rest.subarray(0, at - download.bytesSent);
      if (!(await write(head)) || !(await playFault())) return;
      rest = rest.subarray(head.byteLength);
    }
    if (!(await write(rest))) return;
  }
  // A fault at or past the body's end comes before its end.
  if (at !== undefined && !faulted && !(await playFault())) return;
  res.end();
}

const faultByte = (fault: DocumentBodyFault): number =>
  'cutAfterBytes' in fault ? fault.cutAfterBytes : fault.stallAfterBytes;

/**
 * Resolves on the response's `drain` (or after `ms`), or when it closes: whichever comes first.
 * Without either (a stall without an end), only its closing ends the wait.
 */
function until(res: ServerResponse, event: 'drain' | number | undefined): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    if (event === 'drain') res.on('drain', done);
    else if (event !== undefined) timer = setTimeout(done, event);
    res.on('close', done);
  });
}
