import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CallbackMode,
  DEFAULT_SIMULATOR_CREDENTIALS,
  MAX_BODY_BYTES,
  type SigningHubSimulator,
  type SimulatorCredentials,
  type SimulatorOptions,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options?: SimulatorOptions): Promise<SigningHubSimulator> {
  const simulator = await startSimulator(options);
  cleanups.push(() => simulator.close());
  return simulator;
}

async function startReceiver(answer: (method: string) => number = () => 200): Promise<Receiver> {
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
    url: `http://127.0.0.1:${port}/signinghub/callback/receiver-secret-123`,
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

function authenticationForm(
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

function postAuthenticate(simulator: SigningHubSimulator, form: URLSearchParams) {
  return fetch(`${simulator.url}/authenticate`, { method: 'POST', body: form });
}

async function tokenFor(simulator: SigningHubSimulator, scope?: string): Promise<string> {
  const form = authenticationForm(scope === undefined ? {} : { scope });
  const response = await postAuthenticate(simulator, form);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

function finish(simulator: SigningHubSimulator, packageId: number | string, token?: string) {
  return fetch(`${simulator.url}/v3/packages/${packageId}/finish`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  });
}

function workflow(simulator: SigningHubSimulator, packageId: number, token?: string) {
  return fetch(`${simulator.url}/v4/packages/${packageId}/workflow`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('authenticate', () => {
  it('issues a bearer token with the configured lifetime for valid credentials', async () => {
    const simulator = await start({ tokenTtlSeconds: 3600 });

    const response = await postAuthenticate(simulator, authenticationForm());

    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
    });
    expect(body.access_token).not.toBe(await tokenFor(simulator));
    expect(simulator.calls[0]).toMatchObject({ operation: 'authenticate', status: 200, scope: '' });
  });

  it('answers 400 invalid_grant for a wrong password without echoing it', async () => {
    const simulator = await start();

    const response = await postAuthenticate(
      simulator,
      authenticationForm({ password: 'wrong-password-42' }),
    );

    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
    expect(text).not.toContain('wrong-password-42');
  });

  it('answers 400 invalid_grant for an unsupported grant type', async () => {
    const simulator = await start();

    const response = await postAuthenticate(
      simulator,
      authenticationForm({ grant_type: 'client_credentials' }),
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('accepts only the credentials it was started with', async () => {
    const credentials = {
      clientId: 'custom-app',
      clientSecret: 'custom-key',
      username: 'admin@example.org',
      password: 'custom-password',
    };
    const simulator = await start({ credentials });

    const withDefaults = await postAuthenticate(simulator, authenticationForm());
    const withCustom = await postAuthenticate(simulator, authenticationForm({}, credentials));

    expect(withDefaults.status).toBe(400);
    expect(withCustom.status).toBe(200);
  });

  it('answers 403 with x-otp headers when the account needs a one-time password', async () => {
    const simulator = await start({ otpRequired: true });

    const response = await postAuthenticate(simulator, authenticationForm());

    expect(response.status).toBe(403);
    expect(response.headers.get('x-otp')).toBe('true');
    expect(response.headers.get('x-mobile-number')).toBe('******1234');
    expect(await response.json()).toEqual({
      error: expect.any(String),
      error_description: expect.any(String),
    });
  });

  it('records the requested scope and the scope of the token used for a finish', async () => {
    const simulator = await start();

    const token = await tokenFor(simulator, 'alice@example.com');
    await finish(simulator, 10, token);

    expect(simulator.calls.map((call) => [call.operation, call.scope, call.tokenScope])).toEqual([
      ['authenticate', 'alice@example.com', undefined],
      ['finish', undefined, 'alice@example.com'],
    ]);
  });

  it('answers scripted authenticate responses first without issuing a token', async () => {
    const simulator = await start();
    simulator.scriptAuthenticate({ status: 503, body: { error: 'unavailable' } });

    const scripted = await postAuthenticate(simulator, authenticationForm());
    const normal = await postAuthenticate(simulator, authenticationForm());

    expect(scripted.status).toBe(503);
    expect(await scripted.json()).toEqual({ error: 'unavailable' });
    expect(normal.status).toBe(200);
    expect(simulator.calls.map((call) => call.status)).toEqual([503, 200]);
  });
});

describe('finish', () => {
  it('answers 200 with an empty body and records the call with redacted headers', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const response = await finish(simulator, 1234, token);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const call = simulator.calls.at(-1);
    expect(call).toMatchObject({
      operation: 'finish',
      packageId: 1234,
      tokenScope: '',
      status: 200,
      bodyLength: 0,
    });
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer <redacted>',
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(JSON.stringify(simulator.calls)).not.toContain(token);
    expect(simulator.count('finish', 1234)).toBe(1);
    expect(simulator.count('finish', 99)).toBe(0);
  });

  it('answers 401 without a token and with an unknown token', async () => {
    const simulator = await start();

    const withoutToken = await finish(simulator, 1);
    const unknownToken = await finish(simulator, 1, 'not-a-token');

    expect(withoutToken.status).toBe(401);
    expect(await withoutToken.json()).toEqual({ Message: 'Request authorization denied' });
    expect(unknownToken.status).toBe(401);
    expect(simulator.calls.map((call) => call.status)).toEqual([401, 401]);
  });

  it('answers 401 for revoked tokens and accepts tokens issued afterwards', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);
    expect((await finish(simulator, 1, token)).status).toBe(200);

    simulator.revokeTokens();

    expect((await finish(simulator, 1, token)).status).toBe(401);
    expect((await finish(simulator, 1, await tokenFor(simulator))).status).toBe(200);
  });

  it('answers 401 once a token has expired', async () => {
    const simulator = await start({ tokenTtlSeconds: 0 });
    const token = await tokenFor(simulator);

    const response = await finish(simulator, 1, token);

    expect(response.status).toBe(401);
  });

  it('answers 404 Document not found for a deleted package, on finish and workflow', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);
    simulator.createPackage(55, ['alice@example.com']);
    expect((await finish(simulator, 55, token)).status).toBe(200);

    simulator.deletePackage(55);
    const finished = await finish(simulator, 55, token);
    const details = await workflow(simulator, 55, token);

    expect(finished.status).toBe(404);
    expect(await finished.json()).toEqual({ Message: 'Document not found' });
    expect(details.status).toBe(404);
    expect(await details.json()).toEqual({ Message: 'Document not found' });
    expect(simulator.getPackage(55)).toBeUndefined();
  });

  it('answers 404 for an unknown package when packages are not created on first use', async () => {
    const simulator = await start({ autoCreatePackages: false });
    const token = await tokenFor(simulator);
    simulator.createPackage(2, []);

    expect((await finish(simulator, 1, token)).status).toBe(404);
    expect((await finish(simulator, 2, token)).status).toBe(200);
  });

  it('creates an unknown package with no signers on first use', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    await finish(simulator, 77, token);

    expect(simulator.getPackage(77)).toEqual({
      packageId: 77,
      signers: [],
      workflowStatus: 'IN_PROGRESS',
      finishes: 1,
    });
  });

  it('answers 400 for a non-numeric package id and 404 for any other path', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const badId = await finish(simulator, 'abc', token);
    const unknownPath = await fetch(`${simulator.url}/v3/documents/1`);
    const wrongVersion = await fetch(`${simulator.url}/v9/packages/1/finish`, { method: 'POST' });

    expect(badId.status).toBe(400);
    expect(await badId.json()).toEqual({ Message: expect.any(String) });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ Message: 'Not found' });
    expect(wrongVersion.status).toBe(404);
    expect(simulator.count('other')).toBe(2);
  });

  it('marks only the scoped signer as signed and leaves signers alone for other tokens', async () => {
    const simulator = await start();
    simulator.createPackage(3, ['alice@example.com', 'bob@example.com']);

    await finish(simulator, 3, await tokenFor(simulator));
    await finish(simulator, 3, await tokenFor(simulator, 'mallory@example.com'));
    const afterOthers = simulator.getPackage(3);
    const response = await finish(simulator, 3, await tokenFor(simulator, 'Alice@Example.com'));

    expect(afterOthers?.signers.map((signer) => signer.processStatus)).toEqual([
      'UN_PROCESSED',
      'UN_PROCESSED',
    ]);
    expect(response.status).toBe(200);
    expect(simulator.getPackage(3)).toEqual({
      packageId: 3,
      signers: [
        { email: 'alice@example.com', processStatus: 'SIGNED' },
        { email: 'bob@example.com', processStatus: 'UN_PROCESSED' },
      ],
      workflowStatus: 'IN_PROGRESS',
      finishes: 3,
    });
  });

  it('answers scripted 500 and 429 with Retry-After in order, then behaves normally', async () => {
    const simulator = await start();
    simulator.createPackage(7, ['alice@example.com']);
    simulator.script(
      7,
      'finish',
      { status: 500, body: { Message: 'An internal server error occurred' } },
      { status: 429, headers: { 'Retry-After': '2' }, body: { Message: 'Too many requests' } },
    );
    const token = await tokenFor(simulator, 'alice@example.com');

    const first = await finish(simulator, 7, token);
    const second = await finish(simulator, 7, token);
    const afterScripted = simulator.getPackage(7);
    const third = await finish(simulator, 7, token);

    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ Message: 'An internal server error occurred' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    expect(afterScripted).toMatchObject({
      finishes: 0,
      signers: [{ processStatus: 'UN_PROCESSED' }],
    });
    expect(third.status).toBe(200);
    expect(simulator.getPackage(7)?.workflowStatus).toBe('COMPLETED');
    expect(
      simulator.calls.filter((call) => call.operation === 'finish').map((c) => c.status),
    ).toEqual([500, 429, 200]);
  });

  it('applies a script only to its package and operation, even without a token', async () => {
    const simulator = await start();
    simulator.script(8, 'finish', {
      status: 403,
      body: { Message: 'Account is disabled' },
    });

    const otherPackage = await finish(simulator, 9);
    const scriptedPackage = await finish(simulator, 8);
    const workflowOfScripted = await workflow(simulator, 8);

    expect(otherPackage.status).toBe(401);
    expect(scriptedPackage.status).toBe(403);
    expect(await scriptedPackage.json()).toEqual({ Message: 'Account is disabled' });
    expect(workflowOfScripted.status).toBe(401);
  });

  it('keeps a scripted hang open until the client gives up and still closes promptly', async () => {
    const simulator = await start();
    simulator.script(4, 'finish', { hang: true });
    const token = await tokenFor(simulator);

    const hanging = fetch(`${simulator.url}/v3/packages/4/finish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(200),
    });

    await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(simulator.calls.at(-1)).toMatchObject({ operation: 'finish', status: 'hang' });
    const started = Date.now();
    await simulator.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('ends a hung request when the simulator closes before the client gives up', async () => {
    const simulator = await start();
    simulator.script(4, 'workflow', { hang: true });
    const hanging = workflow(simulator, 4);
    await vi.waitFor(() => expect(simulator.count('workflow', 4)).toBe(1));

    const started = Date.now();
    await simulator.close();

    await expect(hanging).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('drops the connection without an answer for a scripted drop', async () => {
    const simulator = await start();
    simulator.script(5, 'finish', { drop: true });
    const token = await tokenFor(simulator);

    await expect(finish(simulator, 5, token)).rejects.toThrow();
    const next = await finish(simulator, 5, token);

    expect(next.status).toBe(200);
    expect(
      simulator.calls.filter((call) => call.operation === 'finish').map((c) => c.status),
    ).toEqual(['drop', 200]);
    expect(simulator.getPackage(5)?.finishes).toBe(1);
  });

  it('answers 413 to a body over 1 MiB and keeps serving', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const response = await fetch(`${simulator.url}/v3/packages/1/finish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 'a'),
    });

    expect(response.status).toBe(413);
    expect(simulator.calls.at(-1)).toMatchObject({ status: 413, bodyLength: MAX_BODY_BYTES + 1 });
    expect(simulator.getPackage(1)).toBeUndefined();
    expect((await finish(simulator, 1, token)).status).toBe(200);
  });

  it('answers 404 to a request target that is not a URL and keeps serving', async () => {
    const simulator = await start();
    const { port } = new URL(simulator.url);

    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });

    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    expect(simulator.count('other')).toBe(1);
    expect((await postAuthenticate(simulator, authenticationForm())).status).toBe(200);
  });
});

describe('workflow details', () => {
  it('describes the package, its workflow and its signers', async () => {
    const simulator = await start();
    simulator.createPackage(21, ['alice@example.com', 'bob@example.com']);
    await finish(simulator, 21, await tokenFor(simulator, 'alice@example.com'));

    const response = await workflow(simulator, 21, await tokenFor(simulator));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      package_id: 21,
      package_name: expect.any(String),
      package_status: expect.any(String),
      workflow: {
        workflow_status: 'IN_PROGRESS',
        workflow_type: 'SERIAL',
        continue_on_decline: false,
      },
      users: [
        { user_email: 'alice@example.com', user_name: 'alice', process_status: 'SIGNED' },
        { user_email: 'bob@example.com', user_name: 'bob', process_status: 'UN_PROCESSED' },
      ],
    });
  });

  it('answers 401 without a valid token and reports a status set by the test', async () => {
    const simulator = await start();
    simulator.createPackage(22, []);
    simulator.setWorkflowStatus(22, 'DECLINED');

    const denied = await workflow(simulator, 22);
    const allowed = await workflow(simulator, 22, await tokenFor(simulator));

    expect(denied.status).toBe(401);
    expect(await allowed.json()).toMatchObject({ workflow: { workflow_status: 'DECLINED' } });
  });
});

describe('completion callbacks', () => {
  const expectations: Record<
    CallbackMode,
    (received: ReceivedRequest[], packageId: number) => void
  > = {
    query: (received, packageId) => {
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request?.method).toBe('GET');
      const url = new URL(request?.url ?? '', 'http://receiver');
      expect(url.pathname).toBe('/signinghub/callback/receiver-secret-123');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        document_id: String(packageId),
        user_email: 'bob@example.com',
      });
    },
    webhook: (received, packageId) => {
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request?.method).toBe('POST');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request?.body ?? '')).toEqual({
        package_id: packageId,
        package_name: expect.any(String),
        package_owner: expect.any(String),
        package_status: 'COMPLETED',
        uploaded_on: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        modified_on: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        document: [],
      });
    },
    report: (received, packageId) => {
      expect(received.map((request) => request.method)).toEqual(['HEAD', 'POST']);
      const post = received[1];
      expect(post?.headers['content-type']).toBe('application/xml');
      expect(post?.body).toContain(`<DocumentID>${packageId}</DocumentID>`);
      expect(post?.body).toMatch(/<WorkflowCompletionReport>.*<\/WorkflowCompletionReport>$/);
    },
  };

  for (const mode of ['query', 'webhook', 'report'] as const) {
    it(`completes after both signers finish and calls back once in ${mode} mode`, async () => {
      const receiver = await startReceiver();
      const simulator = await start({ callback: { url: receiver.url, mode } });
      simulator.createPackage(31, ['alice@example.com', 'bob@example.com']);
      const alice = await tokenFor(simulator, 'alice@example.com');
      const bob = await tokenFor(simulator, 'bob@example.com');

      await finish(simulator, 31, alice);
      await finish(simulator, 31, alice);
      await simulator.callbacksSettled();
      const afterAlice = simulator.getPackage(31)?.workflowStatus;
      const callbacksAfterAlice = receiver.requests.length;
      await finish(simulator, 31, bob);
      await simulator.callbacksSettled();
      const again = await finish(simulator, 31, bob);
      await simulator.callbacksSettled();

      expect(afterAlice).toBe('IN_PROGRESS');
      expect(callbacksAfterAlice).toBe(0);
      expect(again.status).toBe(200);
      expect(simulator.getPackage(31)?.workflowStatus).toBe('COMPLETED');
      expectations[mode](receiver.requests, 31);
      expect(simulator.callbacksSent).toEqual([
        { packageId: 31, mode, url: expect.stringContaining(receiver.url), status: 200 },
      ]);
    });
  }

  it('does not post a completion report when the HEAD probe fails', async () => {
    const receiver = await startReceiver((method) => (method === 'HEAD' ? 404 : 200));
    const simulator = await start({ callback: { url: receiver.url, mode: 'report' } });
    simulator.createPackage(32, ['alice@example.com']);

    await finish(simulator, 32, await tokenFor(simulator, 'alice@example.com'));
    await simulator.callbacksSettled();

    expect(receiver.requests.map((request) => request.method)).toEqual(['HEAD']);
    expect(simulator.callbacksSent[0]).toMatchObject({ status: 404, error: expect.any(String) });
  });

  it('records a callback that cannot be delivered and keeps serving', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const simulator = await start({ callback: { url: receiver.url, mode: 'webhook' } });
    simulator.createPackage(33, ['alice@example.com']);
    const token = await tokenFor(simulator, 'alice@example.com');

    await finish(simulator, 33, token);
    await simulator.callbacksSettled();

    expect(simulator.callbacksSent).toEqual([
      { packageId: 33, mode: 'webhook', url: receiver.url, error: expect.any(String) },
    ]);
    expect((await workflow(simulator, 33, token)).status).toBe(200);
  });

  it('never logs tokens, secrets or the callback path', async () => {
    const receiver = await startReceiver();
    const lines: string[] = [];
    const simulator = await start({
      callback: { url: receiver.url, mode: 'query' },
      log: (line) => lines.push(line),
    });
    simulator.createPackage(34, ['alice@example.com']);
    const token = await tokenFor(simulator, 'alice@example.com');

    await finish(simulator, 34, token);
    await simulator.callbacksSettled();

    expect(lines.length).toBeGreaterThan(2);
    const logged = lines.join('\n');
    expect(logged).toContain('/v3/packages/34/finish');
    for (const secret of [
      token,
      DEFAULT_SIMULATOR_CREDENTIALS.password,
      DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
      'receiver-secret-123',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('control API', () => {
  it('creates and reads packages over HTTP without recording those calls', async () => {
    const simulator = await start();

    const created = await fetch(`${simulator.url}/_simulator/packages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: 41, signers: ['alice@example.com'] }),
    });
    const read = await fetch(`${simulator.url}/_simulator/packages/41`);
    const missing = await fetch(`${simulator.url}/_simulator/packages/42`);

    const expected = {
      packageId: 41,
      signers: [{ email: 'alice@example.com', processStatus: 'UN_PROCESSED' }],
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
    };
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(expected);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(expected);
    expect(missing.status).toBe(404);
    expect(simulator.getPackage(41)).toEqual(expected);
    expect(simulator.calls).toHaveLength(0);
  });

  it('rejects a package without a positive integer id or with non-string signers', async () => {
    const simulator = await start();
    const post = (body: string) =>
      fetch(`${simulator.url}/_simulator/packages`, { method: 'POST', body });

    expect((await post(JSON.stringify({ packageId: 'x', signers: [] }))).status).toBe(400);
    expect((await post(JSON.stringify({ packageId: 1, signers: [1] }))).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    expect(simulator.packages).toHaveLength(0);
  });

  it('lists calls and callbacks sent, and sets the callback over HTTP', async () => {
    const receiver = await startReceiver();
    const simulator = await start();
    simulator.createPackage(43, ['alice@example.com']);

    const setCallback = await fetch(`${simulator.url}/_simulator/callback`, {
      method: 'PUT',
      body: JSON.stringify({ url: receiver.url, mode: 'webhook' }),
    });
    const badMode = await fetch(`${simulator.url}/_simulator/callback`, {
      method: 'PUT',
      body: JSON.stringify({ url: receiver.url, mode: 'carrier-pigeon' }),
    });
    await finish(simulator, 43, await tokenFor(simulator, 'alice@example.com'));
    await simulator.callbacksSettled();
    const listed = await fetch(`${simulator.url}/_simulator/calls`);

    expect(setCallback.status).toBe(200);
    expect(badMode.status).toBe(400);
    expect(receiver.requests).toHaveLength(1);
    const body = (await listed.json()) as { calls: unknown[]; callbacksSent: unknown[] };
    expect(body.calls).toMatchObject([
      { operation: 'authenticate', scope: 'alice@example.com', status: 200 },
      { operation: 'finish', packageId: 43, tokenScope: 'alice@example.com', status: 200 },
    ]);
    expect(body.callbacksSent).toMatchObject([{ packageId: 43, mode: 'webhook', status: 200 }]);
  });
});

describe('reset', () => {
  it('forgets packages, scripts, calls and tokens', async () => {
    const simulator = await start();
    simulator.createPackage(51, ['alice@example.com']);
    simulator.script(51, 'finish', { status: 500 });
    const token = await tokenFor(simulator);

    simulator.reset();
    const response = await finish(simulator, 51, token);
    const fresh = await finish(simulator, 51, await tokenFor(simulator));

    expect(response.status).toBe(401);
    expect(fresh.status).toBe(200);
    expect(simulator.getPackage(51)?.signers).toEqual([]);
    expect(simulator.calls.map((call) => call.status)).toEqual([401, 200, 200]);
  });
});
