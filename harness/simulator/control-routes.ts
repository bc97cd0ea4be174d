import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import { safeOrigin } from './callbacks.ts';
import {
  isCallbackMode,
  isDownMode,
  isPackageId,
  isRecord,
  isScriptableOperation,
  isStringArray,
  readScriptedResponses,
} from './control-bodies.ts';
import { controlDocuments } from './control-documents.ts';
import type { Enterprise } from './enterprise.ts';
import { parsePackageId, snapshot } from './packages.ts';
import { messageReply, send } from './reply.ts';
import { BodyTooLargeError, readBody } from './request-body.ts';

const CONTROL_PACKAGE_PATTERN = /^\/_simulator\/packages\/([^/]+)$/;
const CONTROL_SCRIPTS_PATTERN = /^\/_simulator\/scripts\/([^/]+)$/;

/**
 * The control API under /_simulator/ for the `npm start` commands (other processes):
 * GET /_simulator/enterprises, and for one enterprise (`?enterprise=<name>`, the default one
 * without it) POST /_simulator/packages, GET /_simulator/packages/{id}, GET /_simulator/calls,
 * GET and PUT /_simulator/callback, POST /_simulator/scripts, DELETE /_simulator/scripts/{id}
 * and PUT /_simulator/down, and the routes for documents (control-documents.ts). Its requests
 * are not SigningHub calls and are not recorded.
 */
export function createControlHandler(
  enterprises: readonly Enterprise[],
  log: (line: string) => void,
) {
  const byName = new Map(enterprises.map((enterprise) => [enterprise.name, enterprise]));

  return async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> => {
    const method = req.method ?? '';
    const enterprise = byName.get(query.get('enterprise') ?? DEFAULT_TENANT);
    if (!enterprise) {
      send(res, messageReply(404, 'The simulator runs no enterprise of that name'));
      return;
    }
    const { packages, scripts, documentScripts, callLog, callbacks, host } = enterprise;
    const named = enterprise.name === DEFAULT_TENANT ? '' : `${enterprise.name}: `;
    let body: unknown;
    try {
      const raw = await readBody(req, () => {});
      body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send(res, messageReply(413, 'The request body is too large'));
      } else if (error instanceof SyntaxError) {
        send(res, messageReply(400, 'The body is not valid JSON'));
      } else {
        res.destroy();
      }
      return;
    }
    const bad = (message: string) => send(res, messageReply(400, message));
    const field = (name: string): unknown => (isRecord(body) ? body[name] : undefined);
    if (controlDocuments(enterprise, { method, path, body }, res, log)) return;

    if (path === '/_simulator/enterprises' && method === 'GET') {
      send(res, { status: 200, body: { enterprises: enterprises.map(describe) } });
      return;
    }
    if (path === '/_simulator/down' && method === 'PUT') {
      const down = field('down');
      if (down !== false && !isDownMode(down))
        return bad('down must be drop, unavailable or false');
      host.down = down;
      log(`${named}host ${down === false ? 'up' : `down (${down})`}`);
      send(res, { status: 200, body: { enterprise: enterprise.name, down } });
      return;
    }
    if (path === '/_simulator/packages' && method === 'POST') {
      const packageId = field('packageId');
      const signers = isRecord(body) ? (body.signers ?? []) : undefined;
      if (!isPackageId(packageId)) return bad('packageId must be a positive integer');
      if (!isStringArray(signers)) return bad('signers must be an array of email strings');
      send(res, { status: 201, body: snapshot(packages.create(packageId, signers)) });
      return;
    }
    const packageMatch = CONTROL_PACKAGE_PATTERN.exec(path);
    if (packageMatch && method === 'GET') {
      const packageId = parsePackageId(packageMatch[1] ?? '');
      if (packageId === undefined) return bad('The package id is not valid');
      const found = packages.visible(packageId);
      send(res, found ? { status: 200, body: found } : messageReply(404, 'Document not found'));
      return;
    }
    if (path === '/_simulator/calls' && method === 'GET') {
      send(res, { status: 200, body: { calls: callLog.calls, callbacksSent: callbacks.sent } });
      return;
    }
    if (path === '/_simulator/callback' && method === 'GET') {
      // The mode only: the URL carries the receiver's secret.
      const mode = callbacks.config?.mode;
      send(res, { status: 200, body: { callback: mode === undefined ? null : { mode } } });
      return;
    }
    if (path === '/_simulator/callback' && method === 'PUT') {
      if (body === undefined || body === null) {
        callbacks.config = undefined;
        log(`${named}callback off`);
        send(res, { status: 200, body: { callback: null } });
        return;
      }
      const url = field('url');
      const mode = field('mode');
      if (typeof url !== 'string' || !URL.canParse(url)) return bad('url must be an absolute URL');
      if (!isCallbackMode(mode)) return bad('mode must be query, webhook or report');
      callbacks.config = { url, mode };
      log(`${named}callback set: ${mode} to ${safeOrigin(url)}`);
      send(res, { status: 200, body: { callback: { mode } } });
      return;
    }
    if (path === '/_simulator/scripts' && method === 'POST') {
      const packageId = field('packageId');
      const operation = field('operation') ?? 'finish';
      if (!isPackageId(packageId)) return bad('packageId must be a positive integer');
      if (!isScriptableOperation(operation))
        return bad('operation must be finish, workflow or document');
      const responses = readScriptedResponses(field('responses'));
      if (typeof responses === 'string') return bad(responses);
      scripts.add(operation, packageId, responses);
      const queued = scripts.pending(operation, packageId);
      log(`${named}scripted ${responses.length} ${operation} answer(s) for package ${packageId}`);
      send(res, { status: 201, body: { packageId, operation, queued } });
      return;
    }
    const scriptsMatch = CONTROL_SCRIPTS_PATTERN.exec(path);
    if (scriptsMatch && method === 'DELETE') {
      const packageId = parsePackageId(scriptsMatch[1] ?? '');
      if (packageId === undefined) return bad('The package id is not valid');
      const removed = scripts.clearPackage(packageId) + documentScripts.clearPackage(packageId);
      send(res, { status: 200, body: { packageId, removed } });
      return;
    }
    send(res, messageReply(404, 'Not found'));
  };
}

/** An enterprise as GET /_simulator/enterprises lists it: never its credentials. */
function describe(enterprise: Enterprise) {
  return {
    name: enterprise.name,
    path: enterprise.basePath === '' ? '/' : enterprise.basePath,
    clientCertificate: enterprise.host.clientCommonName ?? null,
    down: enterprise.host.down,
  };
}
