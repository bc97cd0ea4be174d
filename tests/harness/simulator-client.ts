import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  type EnterpriseControl,
  type SigningHubSimulator,
  type SimulatorCredentials,
  type SimulatorOptions,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';

/** What a real client of SigningHub sends, over plain fetch, to a simulator on 127.0.0.1. */

/** A simulated enterprise's host: the default one (the simulator itself) or another. */
type Host = Pick<EnterpriseControl, 'url'>;

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
/** The workflow_status values SigningHub documents. */
export const WORKFLOW_STATUSES = ['DRAFT', 'SHARED', 'IN_PROGRESS', 'COMPLETED', 'DECLINED'];
/** The secret in the path of a receiver's callback URL. */
export const RECEIVER_SECRET = 'receiver-secret-123';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];

/** For afterEach: closes every simulator and receiver started since. */
export async function closeAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function start(options?: SimulatorOptions): Promise<SigningHubSimulator> {
  const simulator = await startSimulator(options);
  cleanups.push(() => simulator.close());
  return simulator;
}

/** A callback receiver that records each request and answers `answer(method)`. */
export async function startReceiver(
  answer: (method: string) => number = () => 200,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer(req.method ?? ''), { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/signinghub/callback/${RECEIVER_SECRET}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  cleanups.push(() => receiver.close());
  return receiver;
}

/** An enterprise's credentials: all four differ from the defaults and from any other name's. */
export const credentialsOf = (name: string): SimulatorCredentials => ({
  clientId: `${name}-client`,
  clientSecret: `${name}-client-secret`,
  username: `admin@${name}.example`,
  password: `${name}-password`,
});

/** A request to the control API, with a JSON body when one is given. */
export const control = (url: string, method: string, body?: unknown) =>
  fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

/** The password grant's form fields, valid for `credentials` unless overridden. */
export function authenticationForm(
  overrides: Record<string, string> = {},
  credentials: SimulatorCredentials = DEFAULT_SIMULATOR_CREDENTIALS,
): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'password',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    username: credentials.username,
    password: credentials.password,
    ...overrides,
  });
}

/** The client_credentials grant's form fields, valid for `credentials` unless overridden. */
export function clientCredentialsForm(
  overrides: Record<string, string> = {},
  credentials: SimulatorCredentials = DEFAULT_SIMULATOR_CREDENTIALS,
): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    ...overrides,
  });
}

export function postAuthenticate(simulator: Host, form: URLSearchParams) {
  return fetch(`${simulator.url}/authenticate`, { method: 'POST', body: form });
}

/** An access token, for the account itself or (with a scope) for a signer. */
export async function tokenFor(
  simulator: Host,
  scope?: string,
  credentials: SimulatorCredentials = DEFAULT_SIMULATOR_CREDENTIALS,
): Promise<string> {
  const form = authenticationForm(scope === undefined ? {} : { scope }, credentials);
  return accessToken(await postAuthenticate(simulator, form));
}

/** The access token of a successful authentication or scope call. */
export async function accessToken(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** POST /v4/authenticate/scope as the contract sends it: the account's token, JSON `user_email`. */
export function postScope(
  simulator: Host,
  accountToken: string | undefined,
  body: unknown = { user_email: ALICE },
  contentType = 'application/json',
) {
  return fetch(`${simulator.url}/v4/authenticate/scope`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(accountToken === undefined ? {} : { authorization: `Bearer ${accountToken}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** POST /{version}/packages/{id}/finish as the project's client sends it: no body. */
export function finish(
  simulator: Host,
  packageId: number | string,
  token?: string,
  version: 'v3' | 'v4' = 'v3',
) {
  return fetch(`${simulator.url}/${version}/packages/${packageId}/finish`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  });
}

export function workflow(
  simulator: Host,
  packageId: number,
  token?: string,
  version: 'v3' | 'v4' = 'v4',
) {
  return fetch(`${simulator.url}/${version}/packages/${packageId}/workflow`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** GET /{version}/packages/{id}/documents/{documentId} as the archive sends it. */
export function downloadDocument(
  simulator: Host,
  packageId: number | string,
  documentId: number | string,
  token?: string,
  version: 'v3' | 'v4' = 'v3',
) {
  return fetch(`${simulator.url}/${version}/packages/${packageId}/documents/${documentId}`, {
    headers: {
      accept: 'application/octet-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  });
}

/** A body's size and lower-case hex SHA-256, read as it comes (never held whole). */
export async function digestOf(
  body: AsyncIterable<Uint8Array> | null,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body ?? []) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Waits (up to half a minute) until `done` says so, and fails the test if it never does. */
export async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(done()).toBe(true);
}
