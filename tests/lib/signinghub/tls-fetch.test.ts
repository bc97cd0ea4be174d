import { getEventListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getCACertificates, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../harness/free-port.ts';
import {
  type KeyPair,
  makeTestCertificates,
  type TestCertificates,
} from '../../../harness/test-certificates.ts';
import type { ClientTls } from '../../../lib/signinghub/access.ts';
import {
  RetryableSigningHubError,
  SigningHubAbortedError,
  SigningHubError,
} from '../../../lib/signinghub/errors.ts';
import { agentOptions, TlsFetches, tlsFetch } from '../../../lib/signinghub/tls-fetch.ts';
import { TokenCache } from '../../../lib/signinghub/token-cache.ts';
import { rejection } from '../../support/rejection.ts';
import { clientOf } from '../../support/signinghub-fake.ts';

/** What reached the server: the path, the client certificate's CN, the request as sent. */
interface Seen {
  readonly path: string;
  readonly clientName: string | undefined;
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let certificates: TestCertificates;
let tenantA: KeyPair;
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
const sockets = new Set<Socket>();
/** Each resolves the second chunk of one stream route's answer, oldest first. */
const secondChunks: (() => void)[] = [];
const releaseSecondChunk = () => secondChunks.shift()?.();

const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
  const path = req.url ?? '';
  if (path === '/authenticate') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'tls-token', expires_in: 600 }));
  } else if (path === '/v3/packages/999/finish' || path === '/hang') {
    // Never answers: the client's abort or timeout must end it.
  } else if (path === '/half') {
    res.writeHead(200, { 'content-length': '10' });
    res.write('half');
  } else if (path === '/stream') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('one,');
    new Promise<void>((resolve) => secondChunks.push(resolve)).then(() => res.end('two'));
  } else if (path === '/no-content') {
    res.writeHead(204).end();
  } else if (path === '/moved') {
    res.writeHead(302, { location: `${baseUrl}/target` }).end();
  } else if (path === '/echo') {
    res.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' });
    res.end(JSON.stringify({ method: req.method, body }));
  } else {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
};

beforeAll(async () => {
  certificates = await makeTestCertificates();
  tenantA = await certificates.client('tenant-a');
  const { ca, server: identity } = certificates;
  server = createServer(
    {
      key: identity.key,
      cert: identity.cert,
      ca: ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        seen.push({
          path: req.url ?? '',
          clientName: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
          method: req.method ?? '',
          headers: req.headers,
          body,
        });
        answer(req, res, body);
      });
    },
  );
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // An idle connection stays open until the client closes it: what retiring a fetch does.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
});

/** The connections opened since `before` was taken. */
const openedSince = (before: ReadonlySet<Socket>): Socket[] =>
  [...sockets].filter((socket) => !before.has(socket));
/** Resolves once every one of `connections` is closed. */
const allClosed = (connections: readonly Socket[]): Promise<unknown> =>
  Promise.all(connections.map((socket) => new Promise((resolve) => socket.once('close', resolve))));
/** One turn of the event loop: what Node defers to the next tick is done after it. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** What Node names a server certificate it cannot chain to a root it trusts. */
const UNTRUSTED = /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/;

const tlsOf = (pair: KeyPair | undefined, ca: string | undefined): ClientTls => ({
  certificate: pair?.cert,
  key: pair?.key,
  ca,
});

/** A tenant's client of the server, sharing one token cache with the test's others. */
let tokens = new TokenCache(Date.now);
beforeEach(() => {
  tokens = new TokenCache(Date.now);
});
const tenantClient = (tenant: string, tls: ClientTls | undefined, timeoutMs = 5_000) =>
  clientOf(baseUrl, { tokens, timeoutMs }, { tenant, baseUrl, tls });

describe('a tenant’s TLS setting on its connections', () => {
  it('presents the tenant’s client certificate and trusts its private CA', async () => {
    await tenantClient('a', tlsOf(tenantA, certificates.ca.cert)).finishPackage(1);
    expect(seen.map(({ path, clientName }) => [path, clientName])).toEqual([
      ['/authenticate', 'tenant-a'],
      ['/v3/packages/1/finish', 'tenant-a'],
    ]);
  });

  it('is refused without a client certificate, on the host another tenant has one for', async () => {
    await tenantClient('a', tlsOf(tenantA, certificates.ca.cert)).finishPackage(1);
    const error = await rejection(
      tenantClient('b', tlsOf(undefined, certificates.ca.cert)).finishPackage(2),
    );
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toContain(
      'network error: fetch failed: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    );
    expect(seen.map(({ path }) => path)).toEqual(['/authenticate', '/v3/packages/1/finish']);
  });

  it('does not trust the private CA of another tenant on the same host', async () => {
    await tenantClient('a', tlsOf(tenantA, certificates.ca.cert)).finishPackage(1);
    const withoutCa = await rejection(
      tenantClient('b', tlsOf(tenantA, undefined)).finishPackage(2),
    );
    expect(withoutCa).toBeInstanceOf(SigningHubError);
    expect(withoutCa.message).toMatch(UNTRUSTED);
    // Node's own fetch, for a tenant with no TLS setting, trusts the public roots alone.
    const noSetting = await rejection(tenantClient('c', undefined).finishPackage(3));
    expect(noSetting.message).toMatch(UNTRUSTED);
    expect(seen.map(({ path }) => path)).toEqual(['/authenticate', '/v3/packages/1/finish']);
  });

  it('is refused with a certificate another CA signed', async () => {
    const stranger = await certificates.otherClient('stranger');
    const error = await rejection(
      tenantClient('d', tlsOf(stranger, certificates.ca.cert)).finishPackage(1),
    );
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    // The server ends the handshake: an alert, or a reset when the request was already on its way.
    expect(error.message).toMatch(/network error: fetch failed: (ERR_SSL_\w+|ECONNRESET)$/);
    expect(seen).toEqual([]);
  });

  it('stops a request when the invocation’s signal fires, and times one out', async () => {
    const sh = tenantClient('a', tlsOf(tenantA, certificates.ca.cert), 300);
    await sh.finishPackage(1);
    const aborted = sh.finishPackage(999, { signal: AbortSignal.timeout(100) });
    expect(await rejection(aborted)).toBeInstanceOf(SigningHubAbortedError);
    const late = await rejection(sh.finishPackage(999));
    expect(late).toBeInstanceOf(RetryableSigningHubError);
    expect(late.message).toContain('no answer within 300 ms');
  });
});

describe('tlsFetch', () => {
  const fetchOf = () => tlsFetch(tlsOf(tenantA, certificates.ca.cert));

  it('sends the method, headers and body, and answers status, headers and body', async () => {
    const { fetch, retire } = fetchOf();
    const response = await fetch(`${baseUrl}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-asked': 'please' },
      body: JSON.stringify({ user_email: 'a@x.com' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"user_email":"a@x.com"}' });
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-asked': 'please',
      'content-length': '24',
    });
    retire();
  });

  it('streams the body: its first part can be read before the rest is sent', async () => {
    const { fetch, retire } = fetchOf();
    const response = await fetch(new Request(`${baseUrl}/stream`));
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toBe('one,');
    releaseSecondChunk();
    const second = await reader?.read();
    expect(new TextDecoder().decode(second?.value)).toBe('two');
    expect((await reader?.read())?.done).toBe(true);
    retire();
  });

  it('answers a null body for 204 and for HEAD, and follows no redirect', async () => {
    const { fetch, retire } = fetchOf();
    expect((await fetch(`${baseUrl}/no-content`)).body).toBeNull();
    const head = await fetch(`${baseUrl}/echo`, { method: 'HEAD' });
    expect(head.status).toBe(201);
    expect(head.body).toBeNull();
    const moved = await fetch(`${baseUrl}/moved`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe(`${baseUrl}/target`);
    expect(seen.map(({ path }) => path)).toEqual(['/no-content', '/echo', '/moved']);
    retire();
  });

  it('rejects with the signal’s reason, before the answer and while its body is read', async () => {
    const { fetch, retire } = fetchOf();
    const before = new AbortController();
    const waiting = fetch(`${baseUrl}/hang`, { signal: before.signal });
    before.abort(new Error('the invocation is over'));
    expect((await rejection(waiting)).message).toBe('the invocation is over');

    const during = new AbortController();
    const response = await fetch(`${baseUrl}/half`, { signal: during.signal });
    const body = response.text();
    during.abort(new Error('stopped mid-body'));
    expect((await rejection(body)).message).toBe('stopped mid-body');

    const already = AbortSignal.abort(new Error('never sent'));
    const count = seen.length;
    expect((await rejection(fetch(`${baseUrl}/echo`, { signal: already }))).message).toBe(
      'never sent',
    );
    expect(seen).toHaveLength(count);
    retire();
  });

  it('rejects a transport failure as Node’s fetch does, its cause carrying the code', async () => {
    const { fetch, retire } = fetchOf();
    const port = await freePort();
    const refused = await rejection(fetch(`https://127.0.0.1:${port}/`));
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused.message).toBe('fetch failed');
    expect(refused.cause).toMatchObject({ code: 'ECONNREFUSED' });
    const untrusted = await rejection(tlsFetch(tlsOf(tenantA, undefined)).fetch(`${baseUrl}/echo`));
    expect(untrusted).toMatchObject({
      message: 'fetch failed',
      cause: { code: expect.stringMatching(UNTRUSTED) },
    });
    retire();
  });
});

describe('tlsFetch’s connections', () => {
  const fetchOf = () => tlsFetch(tlsOf(tenantA, certificates.ca.cert));

  it('applies the options given beside a Request, and names the answer’s status', async () => {
    const { fetch, retire } = fetchOf();
    const response = await fetch(new Request(`${baseUrl}/echo`), { method: 'POST', body: 'given' });
    expect(response.statusText).toBe('Created');
    expect(await response.json()).toEqual({ method: 'POST', body: 'given' });
    retire();
  });

  it('keeps one connection for requests one after another', async () => {
    const { fetch, retire } = fetchOf();
    const before = new Set(sockets);
    for (const path of ['/echo', '/echo', '/echo']) {
      await (await fetch(`${baseUrl}${path}`)).text();
      await nextTurn();
    }
    expect(openedSince(before)).toHaveLength(1);
    retire();
  });

  it('leaves no listener on the request’s signal once the answer is read', async () => {
    const { fetch, retire } = fetchOf();
    const request = new Request(`${baseUrl}/echo`);
    await (await fetch(request)).text();
    await nextTurn();
    expect(getEventListeners(request.signal, 'abort')).toEqual([]);
    retire();
  });

  it('closes its connections on retiring once the requests are over, however they ended', async () => {
    const { fetch, retire } = fetchOf();
    const before = new Set(sockets);
    await (await fetch(`${baseUrl}/echo`)).text();
    // A 204 has no body to read: its connection is released all the same.
    expect((await fetch(`${baseUrl}/no-content`)).body).toBeNull();
    const never = AbortSignal.abort(new Error('never sent'));
    await rejection(fetch(`${baseUrl}/echo`, { signal: never }));
    const opened = openedSince(before);
    expect(opened.length).toBeGreaterThan(0);
    retire();
    await allClosed(opened);
    const late = await rejection(fetch(`${baseUrl}/echo`));
    expect(late).toMatchObject({
      message: 'fetch failed',
      cause: { message: 'this TLS setting is no longer in use' },
    });
  });

  it('lets the answers under way finish when retired, and closes their connections after', async () => {
    const { fetch, retire } = fetchOf();
    const before = new Set(sockets);
    const first = await fetch(`${baseUrl}/stream`);
    const second = await fetch(`${baseUrl}/stream`);
    const stopped = new AbortController();
    const given = fetch(`${baseUrl}/hang`, { signal: stopped.signal });
    stopped.abort(new Error('given up'));
    await rejection(given);
    const opened = openedSince(before);
    retire();
    releaseSecondChunk();
    expect(await first.text()).toBe('one,two');
    await nextTurn();
    releaseSecondChunk();
    expect(await second.text()).toBe('one,two');
    await allClosed(opened);
  });
});

describe('TlsFetches', () => {
  it('keeps one fetch per TLS setting, and closes the connections of one replaced', async () => {
    const fetches = new TlsFetches();
    const setting = tlsOf(tenantA, certificates.ca.cert);
    const first = fetches.fetchFor(setting);
    expect(fetches.fetchFor({ ...setting })).toBe(first);
    expect(fetches.fetchFor(setting)).toBe(first);
    const before = new Set(sockets);
    await (await first(`${baseUrl}/echo`)).text();
    const opened = [...sockets].filter((socket) => !before.has(socket));
    expect(opened).toHaveLength(1);
    const [kept] = opened;
    const closed = new Promise((resolve) => kept?.once('close', resolve));
    const renewed = tlsOf(await certificates.client('tenant-a-renewed'), setting.ca);
    const second = fetches.fetchFor(renewed);
    expect(fetches.fetchFor(renewed)).toBe(second);
    expect(second).not.toBe(first);
    await closed;
    expect((await rejection(first(`${baseUrl}/echo`))).message).toBe('fetch failed');
    await (await second(`${baseUrl}/echo`)).text();
    expect(seen.map(({ clientName }) => clientName)).toEqual(['tenant-a', 'tenant-a-renewed']);
    // Back to the first setting's very object, then to none: never the fetch of the one before.
    const again = fetches.fetchFor(setting);
    expect(again).not.toBe(second);
    expect(again).not.toBe(first);
    expect(fetches.fetchFor(undefined)).not.toBe(again);
    expect(fetches.fetchFor(renewed)).not.toBe(second);
    fetches.fetchFor(undefined);
  });
  it('tells settings apart by each of the certificate, the key and the CA', () => {
    const fetches = new TlsFetches();
    const setting = tlsOf(tenantA, certificates.ca.cert);
    for (const change of [{ certificate: 'other' }, { key: 'other' }, { ca: 'other' }]) {
      const before = fetches.fetchFor(setting);
      expect(fetches.fetchFor({ ...setting, ...change })).not.toBe(before);
    }
    fetches.fetchFor(undefined);
  });
});

describe('agentOptions', () => {
  it('adds a private CA to what Node trusts by default instead of replacing it', () => {
    const options = agentOptions(tlsOf(tenantA, certificates.ca.cert));
    expect(options).toMatchObject({ keepAlive: true, cert: tenantA.cert, key: tenantA.key });
    expect(options.ca).toEqual([...getCACertificates('default'), certificates.ca.cert]);
  });

  it('leaves Node’s own roots alone without a CA, and sends no certificate without one', () => {
    expect(agentOptions(tlsOf(undefined, undefined))).toStrictEqual({ keepAlive: true });
  });
});
