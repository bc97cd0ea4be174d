import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../../harness/simulator/signinghub-simulator.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
} from '../../../lib/signinghub/errors.ts';
import {
  SigningHubClient,
  type SigningHubClientOptions,
} from '../../../lib/signinghub/signinghub-client.ts';
import { rejection } from '../../support/rejection.ts';

/** What reached the server: enough of each request to check what the client put on the wire. */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

const TOKEN: Answer = { status: 200, body: { access_token: 't', expires_in: 600 } };

/** A SigningHub that answers each authentication and each API call from its own script. */
let server: Server;
let baseUrl: string;
let received: Received[];
let authAnswers: Answer[];
let apiAnswers: Answer[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer =
        (path === '/authenticate' ? authAnswers.shift() : apiAnswers.shift()) ??
        (path === '/authenticate' ? TOKEN : { status: 200, body: '' });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  authAnswers = [];
  apiAnswers = [];
});

const client = (options: Partial<SigningHubClientOptions> = {}) =>
  new SigningHubClient({
    baseUrl,
    apiVersion: 'v3',
    timeoutMs: 5_000,
    credentials: async () => DEFAULT_SIMULATOR_CREDENTIALS,
    ...options,
  });

const forms = () =>
  received
    .filter(({ path }) => path === '/authenticate')
    .map(({ body }) => Object.fromEntries(new URLSearchParams(body)));

describe('what the client puts on the wire', () => {
  it('asks for a scope only when there is a signer, with the password grant', async () => {
    const sh = client();
    await sh.finishPackage(1);
    await sh.finishPackage(2, { scope: 'alice@example.com' });
    const { clientId, clientSecret, username, password } = DEFAULT_SIMULATOR_CREDENTIALS;
    const grant = {
      grant_type: 'password',
      client_id: clientId,
      client_secret: clientSecret,
      username,
      password,
    };
    expect(forms()).toEqual([grant, { ...grant, scope: 'alice@example.com' }]);
    expect(received[0]?.headers.accept).toBe('application/json');
  });

  it('posts a finish as JSON and reads the workflow with a plain GET, each with the bearer token', async () => {
    apiAnswers.push(
      { status: 200, body: '' },
      { status: 200, body: { package_id: 7, workflow: { workflow_status: 'COMPLETED' } } },
    );
    const sh = client();
    await sh.finishPackage(7);
    await sh.getWorkflow(7);
    const [finish, workflow] = received.filter(({ path }) => path !== '/authenticate');
    expect(finish).toMatchObject({ method: 'POST', path: '/v3/packages/7/finish', body: '' });
    expect(finish?.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: 'Bearer t',
    });
    expect(workflow).toMatchObject({ method: 'GET', path: '/v3/packages/7/workflow' });
    expect(workflow?.headers['content-type']).toBeUndefined();
    expect(workflow?.headers.authorization).toBe('Bearer t');
  });
});

describe('how the client reads authentication answers', () => {
  it.each([408, 429, 500, 503])('takes a %i to authenticate as transient', async (status) => {
    authAnswers.push({ status, body: { error: 'busy' }, headers: { 'retry-after': '2' } });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, message: expect.stringContaining('busy') });
    expect((error as RetryableSigningHubError).retryAfterMs).toBe(2_000);
  });

  it.each([400, 401, 403, 499])(
    'takes a %i to authenticate as refused credentials',
    async (status) => {
      authAnswers.push({ status, body: { error_description: 'Invalid credentials' } });
      const error = await rejection(client().finishPackage(1));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).not.toBeInstanceOf(RetryableSigningHubError);
      expect(error).toMatchObject({ httpStatus: status, otpRequired: false });
    },
  );

  it.each([
    ['no access_token', { expires_in: 600 }],
    ['an empty access_token', { access_token: '', expires_in: 600 }],
    ['a token that has expired already', { access_token: 't', expires_in: 0 }],
    ['no lifetime', { access_token: 't' }],
    ['a lifetime that is not a number', { access_token: 't', expires_in: 'soon' }],
  ])('refuses an answer with %s', async (_, body) => {
    authAnswers.push({ status: 200, body });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('the answer had no access_token or expires_in');
    expect(received.filter(({ path }) => path !== '/authenticate')).toEqual([]);
  });

  it('renews a short-lived token a tenth of its lifetime before it ends', async () => {
    let now = 1_000_000;
    authAnswers.push({ status: 200, body: { access_token: 't', expires_in: 100 } });
    const sh = client({ now: () => now });
    await sh.finishPackage(1);
    now += 89_000;
    await sh.finishPackage(2);
    expect(forms()).toHaveLength(1);
    now += 2_000;
    await sh.finishPackage(3);
    expect(forms()).toHaveLength(2);
  });
});

describe('how the client reads a finish refused', () => {
  it.each([400, 403, 404, 410, 422])('takes a %i as final', async (status) => {
    apiAnswers.push({ status, body: { Message: 'no' } });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(FinalSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, message: expect.stringContaining('no') });
  });

  it.each([405, 409, 418, 502])(
    'takes a %i as not the package’s fault: transient',
    async (status) => {
      apiAnswers.push({ status, body: { Message: 'odd' } });
      const error = await rejection(client().finishPackage(1));
      expect(error).toBeInstanceOf(RetryableSigningHubError);
      expect(error).toMatchObject({ httpStatus: status });
    },
  );
});
