import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type {
  CallbackConfig,
  CallbackMode,
  CallbackSent,
  ScriptableOperation,
  ScriptedResponse,
  SigningHubSimulator,
  SimulatedPackage,
  SimulatorCall,
  SimulatorCredentials,
  SimulatorOperation,
  SimulatorOptions,
} from './types.ts';

export type {
  CallbackConfig,
  CallbackMode,
  CallbackSent,
  ScriptableOperation,
  ScriptedResponse,
  SigningHubSimulator,
  SimulatedPackage,
  SimulatedSigner,
  SimulatorCall,
  SimulatorCredentials,
  SimulatorOperation,
  SimulatorOptions,
} from './types.ts';

export const DEFAULT_SIMULATOR_CREDENTIALS: Readonly<SimulatorCredentials> = Object.freeze({
  clientId: 'simulator-client',
  clientSecret: 'simulator-client-secret',
  username: 'integration@example.com',
  password: 'simulator-password',
});

export const MAX_BODY_BYTES = 1024 * 1024;
// Past this, an oversized body is no longer drained for a clean 413 but cut off.
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;
const CALLBACK_TIMEOUT_MS = 10_000;
const CALLBACK_MODES: readonly string[] = ['query', 'webhook', 'report'];
const FINAL_WORKFLOW_STATUSES: readonly string[] = ['COMPLETED', 'DECLINED'];

interface PackageState {
  packageId: number;
  signers: { email: string; processStatus: string }[];
  workflowStatus: string;
  finishes: number;
  deleted: boolean;
  callbackSent: boolean;
  uploadedOn: Date;
  modifiedOn: Date;
}

interface TokenState {
  scope: string;
  expiresAt: number;
}

interface Route {
  operation: SimulatorOperation;
  packageId?: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

const ROUTE_PATTERN = /^\/(?:v3|v4)\/packages\/([^/]+)\/(finish|workflow)$/;
const CONTROL_PACKAGE_PATTERN = /^\/_simulator\/packages\/([^/]+)$/;

export async function startSimulator(options: SimulatorOptions = {}): Promise<SigningHubSimulator> {
  const credentials = options.credentials ?? DEFAULT_SIMULATOR_CREDENTIALS;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 86399;
  const autoCreatePackages = options.autoCreatePackages ?? true;
  const log = options.log ?? (() => {});
  let otpRequired = options.otpRequired ?? false;
  let callback: CallbackConfig | undefined = options.callback;

  const packages = new Map<number, PackageState>();
  const tokens = new Map<string, TokenState>();
  const scripts = new Map<string, ScriptedResponse[]>();
  const calls: SimulatorCall[] = [];
  const callbacksSent: CallbackSent[] = [];
  const pendingCallbacks = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const stopCallbacks = new AbortController();
  let closing: Promise<void> | undefined;

  const scriptKey = (operation: ScriptableOperation | 'authenticate', packageId?: number) =>
    `${operation}#${packageId ?? ''}`;

  const addScript = (key: string, responses: ScriptedResponse[]) => {
    const queue = scripts.get(key) ?? [];
    queue.push(...responses);
    scripts.set(key, queue);
  };

  const takeScript = (route: Route): ScriptedResponse | undefined => {
    if (route.operation === 'other') return undefined;
    if (route.operation !== 'authenticate' && route.packageId === undefined) return undefined;
    const key =
      route.operation === 'authenticate'
        ? scriptKey('authenticate')
        : scriptKey(route.operation, route.packageId);
    return scripts.get(key)?.shift();
  };

  const newPackage = (packageId: number, signers: string[]): PackageState => {
    const now = new Date();
    const state: PackageState = {
      packageId,
      signers: signers.map((email) => ({ email, processStatus: 'UN_PROCESSED' })),
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
      deleted: false,
      callbackSent: false,
      uploadedOn: now,
      modifiedOn: now,
    };
    packages.set(packageId, state);
    return state;
  };

  const findPackage = (packageId: number): PackageState | undefined => {
    const existing = packages.get(packageId);
    if (existing) return existing;
    return autoCreatePackages ? newPackage(packageId, []) : undefined;
  };

  const snapshot = (state: PackageState): SimulatedPackage => ({
    packageId: state.packageId,
    signers: state.signers.map((signer) => ({ ...signer })),
    workflowStatus: state.workflowStatus,
    finishes: state.finishes,
  });

  const visiblePackage = (packageId: number): SimulatedPackage | undefined => {
    const state = packages.get(packageId);
    return state && !state.deleted ? snapshot(state) : undefined;
  };

  const tokenScopeOf = (req: IncomingMessage): string | undefined => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (token === undefined) return undefined;
    const state = tokens.get(token);
    if (!state || Date.now() >= state.expiresAt) return undefined;
    return state.scope;
  };

  const recordedHeaders = (req: IncomingMessage): Record<string, string> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const authorization = headers.authorization;
    if (authorization !== undefined) {
      const scheme = authorization.trim().split(/\s+/)[0] ?? '';
      headers.authorization = scheme === '' ? '<redacted>' : `${scheme} <redacted>`;
    }
    return headers;
  };

  const deliverCallback = async (config: CallbackConfig, state: PackageState, email: string) => {
    const record: CallbackSent = {
      packageId: state.packageId,
      mode: config.mode,
      url: config.url,
    };
    callbacksSent.push(record);
    const signal = AbortSignal.any([
      stopCallbacks.signal,
      AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    ]);
    // One request of the callback: its answer is drained and only its status kept.
    const call = async (url: string | URL, init: RequestInit): Promise<number> => {
      const response = await fetch(url, { ...init, signal, redirect: 'manual' });
      await response.arrayBuffer();
      return response.status;
    };
    try {
      if (config.mode === 'query') {
        const target = new URL(config.url);
        target.searchParams.set('document_id', String(state.packageId));
        target.searchParams.set('user_email', email);
        record.url = target.toString();
        record.status = await call(target, { method: 'GET' });
      } else if (config.mode === 'webhook') {
        const body = JSON.stringify({
          package_id: state.packageId,
          package_name: `Package ${state.packageId}`,
          package_owner: credentials.username,
          package_status: 'COMPLETED',
          uploaded_on: state.uploadedOn.toISOString(),
          modified_on: state.modifiedOn.toISOString(),
          document: [],
        });
        record.status = await call(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      } else {
        const probe = await call(config.url, { method: 'HEAD' });
        if (probe < 200 || probe > 299) {
          record.status = probe;
          record.error = `HEAD probe answered ${probe}; the report was not posted`;
        } else {
          const body =
            '<?xml version="1.0" encoding="utf-8"?>' +
            '<WorkflowCompletionReport>' +
            `<DocumentID>${state.packageId}</DocumentID>` +
            `<DocumentName>package-${state.packageId}.pdf</DocumentName>` +
            '</WorkflowCompletionReport>';
          record.status = await call(config.url, {
            method: 'POST',
            headers: { 'content-type': 'application/xml' },
            body,
          });
        }
      }
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    // The callback URL carries the receiver's secret, so only its origin is logged.
    log(
      `callback ${config.mode} for package ${state.packageId} to ${safeOrigin(config.url)}: ` +
        (record.error ?? String(record.status)),
    );
  };

  const scheduleCallback = (config: CallbackConfig, state: PackageState, email: string) => {
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        stopCallbacks.signal.aborted ? undefined : deliverCallback(config, state, email),
      )
      .finally(() => pendingCallbacks.delete(delivery));
    pendingCallbacks.add(delivery);
  };

  const authenticate = (body: Buffer, call: SimulatorCall): Reply => {
    const form = new URLSearchParams(body.toString('utf8'));
    const scope = form.get('scope') ?? '';
    call.scope = scope;
    const invalid = (description: string): Reply => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    });
    if (form.get('grant_type') !== 'password') {
      return invalid('The grant type is not supported; use grant_type=password.');
    }
    if (
      form.get('client_id') !== credentials.clientId ||
      form.get('client_secret') !== credentials.clientSecret
    ) {
      return invalid('The client id or client secret is not valid.');
    }
    if (
      form.get('username') !== credentials.username ||
      form.get('password') !== credentials.password
    ) {
      return invalid('The user name or password is incorrect.');
    }
    if (otpRequired) {
      return {
        status: 403,
        headers: { 'x-otp': 'true', 'x-mobile-number': '******1234' },
        body: {
          error: 'invalid_grant',
          error_description: 'A one-time password has been sent to your mobile number.',
        },
      };
    }
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { scope, expiresAt: Date.now() + tokenTtlSeconds * 1000 });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: tokenTtlSeconds,
        refresh_token: randomBytes(32).toString('base64url'),
      },
    };
  };

  const finish = (state: PackageState, tokenScope: string): CallbackConfig | undefined => {
    state.finishes += 1;
    const signer = state.signers.find(
      (candidate) =>
        tokenScope !== '' && candidate.email.toLowerCase() === tokenScope.toLowerCase(),
    );
    if (!signer || signer.processStatus === 'SIGNED') return undefined;
    signer.processStatus = 'SIGNED';
    state.modifiedOn = new Date();
    const allSigned = state.signers.every((candidate) => candidate.processStatus === 'SIGNED');
    if (!allSigned || FINAL_WORKFLOW_STATUSES.includes(state.workflowStatus)) return undefined;
    state.workflowStatus = 'COMPLETED';
    if (!callback || state.callbackSent) return undefined;
    state.callbackSent = true;
    return callback;
  };

  const workflow = (state: PackageState) => ({
    package_id: state.packageId,
    package_name: `Package ${state.packageId}`,
    package_status: state.workflowStatus,
    workflow: {
      workflow_status: state.workflowStatus,
      workflow_type: 'SERIAL',
      continue_on_decline: false,
    },
    users: state.signers.map((signer) => ({
      user_email: signer.email,
      user_name: signer.email.split('@')[0] ?? signer.email,
      process_status: signer.processStatus,
    })),
  });

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    const route = routeOf(req.method ?? '', path);
    const call: SimulatorCall = {
      operation: route.operation,
      method: req.method ?? '',
      path,
      ...(route.packageId === undefined ? {} : { packageId: route.packageId }),
      status: 0,
      headers: recordedHeaders(req),
      bodyLength: 0,
      at: Date.now(),
    };
    const finishCall = (status: SimulatorCall['status']) => {
      call.status = status;
      calls.push(call);
      log(`${call.method} ${path} -> ${status}`);
    };

    let body: Buffer;
    try {
      body = await readBody(req, (length) => {
        call.bodyLength = length;
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        finishCall(413);
        send(res, {
          status: 413,
          body: { Message: `The request body is larger than ${MAX_BODY_BYTES} bytes` },
        });
        return;
      }
      finishCall('drop');
      res.destroy();
      return;
    }

    const tokenScope = tokenScopeOf(req);
    if (tokenScope !== undefined && route.operation !== 'authenticate') {
      call.tokenScope = tokenScope;
    }

    const scripted = takeScript(route);
    if (scripted) {
      if (route.operation === 'authenticate') {
        call.scope = new URLSearchParams(body.toString('utf8')).get('scope') ?? '';
      }
      if ('hang' in scripted) {
        finishCall('hang');
        return;
      }
      if ('drop' in scripted) {
        finishCall('drop');
        res.destroy();
        return;
      }
      finishCall(scripted.status);
      if ('cutBody' in scripted) {
        res.writeHead(scripted.status, {
          'content-type': 'application/json',
          'content-length': '64',
        });
        res.write('{"Message":', () => res.destroy());
        return;
      }
      send(res, scripted);
      return;
    }

    if (route.operation === 'authenticate') {
      const reply = authenticate(body, call);
      finishCall(reply.status);
      send(res, reply);
      return;
    }
    if (route.operation === 'other') {
      finishCall(404);
      send(res, { status: 404, body: { Message: 'Not found' } });
      return;
    }
    if (tokenScope === undefined) {
      finishCall(401);
      send(res, { status: 401, body: { Message: 'Request authorization denied' } });
      return;
    }
    if (route.packageId === undefined) {
      finishCall(400);
      send(res, { status: 400, body: { Message: 'The package id is not valid' } });
      return;
    }
    const state = findPackage(route.packageId);
    if (!state || state.deleted) {
      finishCall(404);
      send(res, { status: 404, body: { Message: 'Document not found' } });
      return;
    }
    if (route.operation === 'workflow') {
      finishCall(200);
      send(res, { status: 200, body: workflow(state) });
      return;
    }
    const lastSigner = tokenScope;
    const completionCallback = finish(state, tokenScope);
    finishCall(200);
    send(res, { status: 200 });
    if (completionCallback) scheduleCallback(completionCallback, state, lastSigner);
  };

  const handleControl = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    const method = req.method ?? '';
    let body: unknown;
    try {
      const raw = await readBody(req, () => {});
      body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send(res, { status: 413, body: { Message: 'The request body is too large' } });
      } else if (error instanceof SyntaxError) {
        send(res, { status: 400, body: { Message: 'The body is not valid JSON' } });
      } else {
        res.destroy();
      }
      return;
    }
    const bad = (message: string) => send(res, { status: 400, body: { Message: message } });

    if (path === '/_simulator/packages' && method === 'POST') {
      const packageId = isRecord(body) ? body.packageId : undefined;
      const signers = isRecord(body) ? (body.signers ?? []) : undefined;
      if (!isPackageId(packageId)) return bad('packageId must be a positive integer');
      if (!isStringArray(signers)) return bad('signers must be an array of email strings');
      send(res, { status: 201, body: snapshot(newPackage(packageId, signers)) });
      return;
    }
    const packageMatch = CONTROL_PACKAGE_PATTERN.exec(path);
    if (packageMatch) {
      const packageId = parsePackageId(packageMatch[1] ?? '');
      if (packageId === undefined) return bad('The package id is not valid');
      if (method === 'GET') {
        const found = visiblePackage(packageId);
        send(
          res,
          found
            ? { status: 200, body: found }
            : { status: 404, body: { Message: 'Document not found' } },
        );
        return;
      }
      if (method === 'DELETE') {
        simulator.deletePackage(packageId);
        send(res, { status: 204 });
        return;
      }
    }
    if (path === '/_simulator/calls' && method === 'GET') {
      send(res, { status: 200, body: { calls, callbacksSent } });
      return;
    }
    if (path === '/_simulator/callback' && method === 'PUT') {
      if (body === undefined || body === null) {
        callback = undefined;
        send(res, { status: 200, body: { callback: null } });
        return;
      }
      const url = isRecord(body) ? body.url : undefined;
      const mode = isRecord(body) ? body.mode : undefined;
      if (typeof url !== 'string' || !URL.canParse(url)) return bad('url must be an absolute URL');
      if (!isCallbackMode(mode)) return bad('mode must be query, webhook or report');
      callback = { url, mode };
      log(`callback set: ${mode} to ${safeOrigin(url)}`);
      send(res, { status: 200, body: { callback: { mode } } });
      return;
    }
    if (path === '/_simulator/reset' && method === 'POST') {
      simulator.reset();
      send(res, { status: 204 });
      return;
    }
    send(res, { status: 404, body: { Message: 'Not found' } });
  };

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://simulator').pathname;
    } catch {
      path = '/';
    }
    const handler = path.startsWith('/_simulator/') ? handleControl : handleApi;
    handler(req, res, path).catch((error: unknown) => {
      log(
        `simulator error on ${req.method} ${path}: ${error instanceof Error ? error.name : 'unknown'}`,
      );
      if (!res.headersSent) {
        send(res, { status: 500, body: { Message: 'Simulator error' } });
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  log(`SigningHub simulator listening on ${url}`);

  const simulator: SigningHubSimulator = {
    url,
    get calls() {
      return calls;
    },
    get callbacksSent() {
      return callbacksSent;
    },
    get packages() {
      return [...packages.values()].filter((state) => !state.deleted).map(snapshot);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopCallbacks.abort();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
    createPackage(packageId, signers) {
      return snapshot(newPackage(packageId, [...signers]));
    },
    deletePackage(packageId) {
      const state = packages.get(packageId) ?? newPackage(packageId, []);
      state.deleted = true;
    },
    setWorkflowStatus(packageId, status) {
      const state = packages.get(packageId) ?? newPackage(packageId, []);
      state.workflowStatus = status;
      state.modifiedOn = new Date();
    },
    getPackage: visiblePackage,
    script(packageId, operation, ...responses) {
      addScript(scriptKey(operation, packageId), responses);
    },
    scriptAuthenticate(...responses) {
      addScript(scriptKey('authenticate'), responses);
    },
    revokeTokens() {
      tokens.clear();
    },
    setOtpRequired(required) {
      otpRequired = required;
    },
    setCallback(next) {
      callback = next;
    },
    count(operation, packageId) {
      return calls.filter(
        (call) =>
          call.operation === operation && (packageId === undefined || call.packageId === packageId),
      ).length;
    },
    async callbacksSettled() {
      while (pendingCallbacks.size > 0) await Promise.allSettled([...pendingCallbacks]);
    },
    reset() {
      packages.clear();
      tokens.clear();
      scripts.clear();
      calls.length = 0;
      callbacksSent.length = 0;
    },
  };
  return simulator;
}

function routeOf(method: string, path: string): Route {
  if (path === '/authenticate' && method === 'POST') return { operation: 'authenticate' };
  const match = ROUTE_PATTERN.exec(path);
  const operation = match?.[2];
  const expectedMethod = operation === 'finish' ? 'POST' : 'GET';
  if (!match || (operation !== 'finish' && operation !== 'workflow') || method !== expectedMethod) {
    return { operation: 'other' };
  }
  const packageId = parsePackageId(match[1] ?? '');
  return packageId === undefined ? { operation } : { operation, packageId };
}

function parsePackageId(text: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  const packageId = Number(text);
  return packageId > 0 ? packageId : undefined;
}

function readBody(req: IncomingMessage, onLength: (length: number) => void): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      onLength(length);
      if (length <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      } else if (length > MAX_DRAIN_BYTES) {
        req.destroy();
      }
    });
    req.on('end', () => {
      if (length > MAX_BODY_BYTES) reject(new BodyTooLargeError());
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (req.complete) return;
      reject(
        length > MAX_BODY_BYTES ? new BodyTooLargeError() : new Error('The request was cut off'),
      );
    });
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (typeof reply.body === 'string') {
    payload = reply.body;
    headers['content-type'] = 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers['content-length'] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid url>';
  }
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
