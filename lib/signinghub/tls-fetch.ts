import { createHash } from 'node:crypto';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent, type AgentOptions, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { getCACertificates } from 'node:tls';
import type { ClientTls } from './access.ts';

/** What ky calls: a `fetch` (ky passes a Request). */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A `fetch` over one TLS setting, and the agent that holds its connections. */
interface TlsFetch {
  readonly fetch: Fetch;
  /** Closes its connections once the requests under way are over; none leave after this. */
  retire(): void;
}

/** Statuses whose answer has no body, whatever the server sent. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Node's fetch rejects a transport failure this way (ky then sees a network error). */
const fetchFailed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause });

/**
 * The PEM text's digest: tells two settings apart without keeping the key in a map's key. An
 * absent PEM is JSON's null, apart from an empty one, as the agent's options tell them apart.
 */
const tlsFingerprint = (tls: ClientTls): string =>
  createHash('sha256')
    .update(JSON.stringify([tls.certificate, tls.key, tls.ca]))
    .digest('hex');

/** The request's headers; Node adds the body's content-length, as the body goes whole. */
const headersOf = (request: Request): OutgoingHttpHeaders => {
  const headers: OutgoingHttpHeaders = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
};

const responseHeaders = (message: IncomingMessage): Headers => {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name !== undefined && value !== undefined) headers.append(name, value);
  }
  return headers;
};

const responseOf = (request: Request, message: IncomingMessage): Response => {
  const status = message.statusCode ?? 0;
  const init = {
    status,
    statusText: message.statusMessage ?? '',
    headers: responseHeaders(message),
  };
  if (NULL_BODY_STATUSES.has(status) || request.method === 'HEAD') {
    // Nothing to read, but the socket goes back to the pool only once the message has ended.
    message.resume();
    return new Response(null, init);
  }
  return new Response(bodyOf(message), init);
};

/**
 * The answer's body as a web stream. Cancelled, an answer already received whole is read to its
 * end, so its connection goes back to the agent's pool (a finish's answer is cancelled unread:
 * cut, each finish of a tenant with a client certificate cost a new TLS handshake); one still
 * coming is cut, as fetch cuts it.
 */
const bodyOf = (message: IncomingMessage): ReadableStream<Uint8Array> => {
  const reader = (Readable.toWeb(message) as ReadableStream<Uint8Array>).getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        if (message.complete) {
          message.resume();
          // Over once read to its end (or closed): the connection is back in the pool by then.
          await finished(message).catch(() => undefined);
          return;
        }
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
};

/**
 * One request through `agent` with Node's `https`: method, headers and body (read whole: the
 * client's bodies are small), no redirect followed, the answer's body streamed. The request's
 * signal aborts it, before the answer or while its body is read, with the signal's reason.
 * `over` is called once, when the exchange is over (failed, aborted, or its answer closed).
 */
const send = async (agent: Agent, request: Request, over: () => void): Promise<Response> => {
  const { signal } = request;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    signal.removeEventListener('abort', onAbort);
    over();
  };
  let answer: IncomingMessage | undefined;
  let outgoing: ClientRequest | undefined;
  let rejectAnswer: (reason: unknown) => void = () => undefined;
  const onAbort = () => {
    answer?.destroy(signal.reason);
    outgoing?.destroy();
    rejectAnswer(signal.reason);
    finish();
  };
  try {
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    signal.throwIfAborted();
    return await new Promise<Response>((resolve, reject) => {
      rejectAnswer = reject;
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing = httpsRequest(request.url, {
        method: request.method,
        headers: headersOf(request),
        agent,
      });
      outgoing.on('error', (error) => {
        reject(error);
        finish();
      });
      outgoing.on('response', (message) => {
        answer = message;
        message.once('close', finish);
        resolve(responseOf(request, message));
      });
      outgoing.end(body);
    });
  } catch (error) {
    finish();
    if (signal.aborted && error === signal.reason) throw error;
    throw fetchFailed(error);
  }
};

/**
 * A keep-alive agent's TLS options: the client certificate and key when given, and the CA when
 * given, added to what Node trusts by default (Node's `ca` replaces that otherwise): the public
 * roots and, where the function's environment sets NODE_EXTRA_CA_CERTS, its certificates.
 */
export const agentOptions = (tls: ClientTls): AgentOptions => ({
  keepAlive: true,
  ...(tls.certificate !== undefined ? { cert: tls.certificate } : {}),
  ...(tls.key !== undefined ? { key: tls.key } : {}),
  ...(tls.ca !== undefined ? { ca: [...getCACertificates('default'), tls.ca] } : {}),
});

/**
 * A `fetch` for ky over `node:https`, with one keep-alive agent of its own: the client
 * certificate and key when given, and the CA when given, added to the public roots (the agent is
 * this setting's alone, so no other connection trusts that CA). Node's global fetch takes no
 * client certificate; a second copy of undici would weigh 1.6 MB in every bundle.
 */
export const tlsFetch = (tls: ClientTls): TlsFetch => {
  const agent = new Agent(agentOptions(tls));
  let underWay = 0;
  let retired = false;
  const fetch: Fetch = async (input, init) => {
    const request =
      input instanceof Request && init === undefined ? input : new Request(input, init);
    if (retired) throw fetchFailed(new Error('this TLS setting is no longer in use'));
    underWay += 1;
    return send(agent, request, () => {
      underWay -= 1;
      if (retired && underWay === 0) agent.destroy();
    });
  };
  return {
    fetch,
    retire: () => {
      retired = true;
      if (underWay === 0) agent.destroy();
    },
  };
};

/** Node's global fetch: the public roots and no client certificate. */
const globalFetch: Fetch = (input, init) => fetch(input, init);

/**
 * The fetch for a tenant's TLS setting as last read: Node's global fetch without one, otherwise
 * a tlsFetch kept while the setting's fingerprint stays the same. A setting replaced (a secret
 * edited) has its agent closed once its requests are over.
 */
export class TlsFetches {
  #current: { readonly fingerprint: string | undefined; readonly tls: TlsFetch } | undefined;
  /** The setting last asked for: the same object (a secret not read again) needs no digest. */
  #last: ClientTls | undefined;

  fetchFor(tls: ClientTls | undefined): Fetch {
    // Stryker disable next-line all: a shortcut (the same object needs no digest), the same fetch either way
    if (tls === this.#last && this.#current !== undefined) return this.#current.tls.fetch;
    // Stryker disable next-line all: the shortcut's memory; without it, every call takes the digest
    this.#last = tls;
    const fingerprint = tls === undefined ? undefined : tlsFingerprint(tls);
    if (this.#current?.fingerprint !== fingerprint) {
      this.#current?.tls.retire();
      this.#current = tls === undefined ? undefined : { fingerprint, tls: tlsFetch(tls) };
    }
    return this.#current?.tls.fetch ?? globalFetch;
  }
}
