import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from './control-bodies.ts';
import { serveDocument } from './documents.ts';
import type { Enterprise } from './enterprise.ts';
import { hostRefusal, verifiedClientName } from './host.ts';
import { type PackageState, parsePackageId } from './packages.ts';
import { messageReply, type Reply, send } from './reply.ts';
import { BodyTooLargeError, MAX_BODY_BYTES, readBody } from './request-body.ts';
import { playScripted, scriptedStatus } from './scripts.ts';
import type { SimulatorOperation } from './types.ts';

const ROUTE_PATTERN = /^\/(?:v3|v4)\/packages\/([^/]+)\/(finish|workflow)$/;
const DOCUMENT_PATTERN = /^\/(?:v3|v4)\/packages\/([^/]+)\/documents\/([^/]+)$/;
const FINAL_WORKFLOW_STATUSES: readonly string[] = ['COMPLETED', 'DECLINED'];

interface Route {
  operation: SimulatorOperation;
  packageId?: number;
  documentId?: number;
}

/**
 * One enterprise's SigningHub API: POST /authenticate, POST /v4/authenticate/scope,
 * POST /{v3|v4}/packages/{id}/finish, GET /{v3|v4}/packages/{id}/workflow and
 * GET /{v3|v4}/packages/{id}/documents/{documentId} (documents.ts), at paths below its base path. Every request is recorded. A host that is down or wants another client certificate
 * refuses first (host.ts); then a scripted answer for the operation (and package) comes before
 * any token is checked.
 */
export function createApiHandler(enterprise: Enterprise) {
  const { tokens, packages, scripts, callLog, callbacks, host } = enterprise;

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const route = routeOf(req.method ?? '', path);
    const call = callLog.begin(req, `${enterprise.basePath}${path}`, route);
    const clientName = verifiedClientName(req);
    if (clientName !== undefined) call.clientCertificate = clientName;
    const refusal = hostRefusal(host, clientName);
    if (refusal) {
      callLog.end(call, scriptedStatus(refusal));
      playScripted(res, refusal);
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, (length) => {
        call.bodyLength = length;
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        callLog.end(call, 413);
        send(res, messageReply(413, `The request body is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      callLog.end(call, 'drop');
      res.destroy();
      return;
    }

    const form =
      route.operation === 'authenticate' ? new URLSearchParams(body.toString('utf8')) : undefined;
    if (form) {
      call.grantType = form.get('grant_type') ?? '';
      call.scope = form.get('scope') ?? '';
    }
    const scopeBody = route.operation === 'scope' ? parseJson(body) : undefined;
    if (isRecord(scopeBody) && typeof scopeBody.user_email === 'string') {
      call.scope = scopeBody.user_email;
    }
    const tokenScope = tokens.scopeOf(req.headers.authorization);
    if (tokenScope !== undefined && !form) call.tokenScope = tokenScope;
    if (route.operation === 'document') return serveDocument(enterprise, res, call, tokenScope);

    const scripted = scripts.take(route.operation, route.packageId);
    if (scripted) {
      callLog.end(call, scriptedStatus(scripted));
      playScripted(res, scripted);
      return;
    }

    const answer = (reply: Reply) => {
      callLog.end(call, reply.status);
      send(res, reply);
    };
    if (form) return answer(tokens.authenticate(form));
    if (route.operation === 'scope') {
      return answer(tokens.scope(tokenScope, req.headers['content-type'], scopeBody));
    }
    if (route.operation === 'other') return answer(messageReply(404, 'Not found'));
    if (tokenScope === undefined) return answer(messageReply(401, 'Request authorization denied'));
    if (route.packageId === undefined) {
      return answer(messageReply(400, 'The package id is not valid'));
    }
    const state = packages.find(route.packageId);
    if (!state || state.deleted) return answer(messageReply(404, 'Document not found'));
    if (route.operation === 'workflow') {
      return answer({ status: 200, body: workflowDetails(state) });
    }

    const completed = finishFor(state, tokenScope);
    answer({ status: 200 });
    if (completed) callbacks.packageCompleted(state, tokenScope);
  };
}

function routeOf(method: string, path: string): Route {
  if (path === '/authenticate' && method === 'POST') return { operation: 'authenticate' };
  // Always v4, whatever version the package calls use.
  if (path === '/v4/authenticate/scope' && method === 'POST') return { operation: 'scope' };
  const document = DOCUMENT_PATTERN.exec(path);
  if (document) {
    if (method !== 'GET') return { operation: 'other' };
    const packageId = parsePackageId(document[1] ?? '');
    const documentId = parsePackageId(document[2] ?? '');
    return {
      operation: 'document',
      ...(packageId === undefined ? {} : { packageId }),
      ...(documentId === undefined ? {} : { documentId }),
    };
  }
  const match = ROUTE_PATTERN.exec(path);
  const operation = match?.[2];
  const expectedMethod = operation === 'finish' ? 'POST' : 'GET';
  if (!match || (operation !== 'finish' && operation !== 'workflow') || method !== expectedMethod) {
    return { operation: 'other' };
  }
  const packageId = parsePackageId(match[1] ?? '');
  return packageId === undefined ? { operation } : { operation, packageId };
}

/** A JSON body, or undefined when it is empty or not JSON. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A finish with a token scoped to `tokenScope`: that signer (matched case-insensitively) becomes
 * SIGNED. True when this was the last signer to finish and so COMPLETED the workflow: once per
 * package at most, and never for a workflow already COMPLETED or DECLINED.
 */
function finishFor(state: PackageState, tokenScope: string): boolean {
  state.finishes += 1;
  const signer = state.signers.find(
    (candidate) => tokenScope !== '' && candidate.email.toLowerCase() === tokenScope.toLowerCase(),
  );
  if (!signer || signer.processStatus === 'SIGNED') return false;
  signer.processStatus = 'SIGNED';
  state.modifiedOn = new Date();
  const allSigned = state.signers.every((candidate) => candidate.processStatus === 'SIGNED');
  if (!allSigned || FINAL_WORKFLOW_STATUSES.includes(state.workflowStatus)) return false;
  state.workflowStatus = 'COMPLETED';
  return true;
}

/** The body of GET /{v3|v4}/packages/{id}/workflow. */
function workflowDetails(state: PackageState) {
  return {
    package_id: state.packageId,
    package_name: `Package ${state.packageId}`,
    package_status: state.workflowStatus,
    workflow: {
      workflow_status: state.workflowStatus,
      workflow_type: 'SERIAL',
      continue_on_decline: false,
    },
    ...(state.owner === null ? {} : { package_owner: state.owner }),
    users: state.signers.map((signer) => ({
      user_email: signer.email,
      user_name: signer.email.split('@')[0] ?? signer.email,
      process_status: signer.processStatus,
    })),
    documents: state.documents.map((document) => ({
      document_id: document.documentId,
      document_name: document.name,
      document_order: document.order,
      document_type: 'PDF',
    })),
  };
}
