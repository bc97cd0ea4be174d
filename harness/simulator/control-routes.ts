import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from './call-log.ts';
import type { Callbacks } from './callbacks.ts';
import { safeOrigin } from './callbacks.ts';
import { type PackageStore, parsePackageId, snapshot } from './packages.ts';
import { messageReply, send } from './reply.ts';
import { BodyTooLargeError, readBody } from './request-body.ts';
import type { CallbackMode } from './types.ts';

const CONTROL_PACKAGE_PATTERN = /^\/_simulator\/packages\/([^/]+)$/;
const CALLBACK_MODES: readonly string[] = ['query', 'webhook', 'report'];

/**
 * The control API under /_simulator/ for the `npm start` commands (other processes):
 * POST /_simulator/packages, GET /_simulator/packages/{id}, GET /_simulator/calls and
 * PUT /_simulator/callback. Its requests are not SigningHub calls and are not recorded.
 */
export function createControlHandler(parts: {
  packages: PackageStore;
  callLog: CallLog;
  callbacks: Callbacks;
  log: (line: string) => void;
}) {
  const { packages, callLog, callbacks, log } = parts;

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? '';
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

    if (path === '/_simulator/packages' && method === 'POST') {
      const packageId = isRecord(body) ? body.packageId : undefined;
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
    if (path === '/_simulator/callback' && method === 'PUT') {
      if (body === undefined || body === null) {
        callbacks.config = undefined;
        send(res, { status: 200, body: { callback: null } });
        return;
      }
      const url = isRecord(body) ? body.url : undefined;
      const mode = isRecord(body) ? body.mode : undefined;
      if (typeof url !== 'string' || !URL.canParse(url)) return bad('url must be an absolute URL');
      if (!isCallbackMode(mode)) return bad('mode must be query, webhook or report');
      callbacks.config = { url, mode };
      log(`callback set: ${mode} to ${safeOrigin(url)}`);
      send(res, { status: 200, body: { callback: { mode } } });
      return;
    }
    send(res, messageReply(404, 'Not found'));
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPackageId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isCallbackMode(value: unknown): value is CallbackMode {
  return typeof value === 'string' && CALLBACK_MODES.includes(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
