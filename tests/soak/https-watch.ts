import type {
  ClientRequest,
  IncomingMessage,
  OutgoingHttpHeaders,
  RequestOptions,
} from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

/** What the watcher does with one request it saw leave. */
export interface HttpsExchange {
  /** Added to the request's headers. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The answer, once its body has been read (or cut off): the request's body as sent, the
   * answer's, and whether the request was still wanted when the status line came (false: the
   * function had given up on it, its timeout, and destroyed it).
   */
  answered(status: number, requestBody: string, body: string, received: boolean): void;
}

const authorizationOf = (headers: OutgoingHttpHeaders | undefined): string | undefined => {
  const value = headers?.authorization;
  return typeof value === 'string' ? value : undefined;
};

/**
 * Watches the requests made with `https.request(url, options)` to `origin`: Node's global fetch
 * takes no client certificate, so a tenant behind one is reached over node:https, out of sight
 * of a wrapped fetch. The module's export is replaced and the ES modules' named exports synced,
 * so `import { request } from 'node:https'` sees the wrapper too. Returns the undo.
 */
export const watchHttps = (
  origin: string,
  begin: (path: string, authorization: string | undefined) => HttpsExchange,
): (() => void) => {
  const original = https.request;
  const wrapped = (...args: unknown[]): ClientRequest => {
    const [url, options] = args;
    const href = typeof url === 'string' ? url : url instanceof URL ? url.href : undefined;
    if (href === undefined || !href.startsWith(`${origin}/`) || typeof options !== 'object') {
      return Reflect.apply(original, https, args) as ClientRequest;
    }
    const given = (options ?? {}) as RequestOptions;
    const headers = Array.isArray(given.headers)
      ? undefined
      : (given.headers as OutgoingHttpHeaders | undefined);
    const exchange = begin(new URL(href).pathname, authorizationOf(headers));
    const request = Reflect.apply(original, https, [
      url,
      { ...given, headers: { ...headers, ...exchange.headers } },
      ...args.slice(2),
    ]) as ClientRequest;
    const sent: Buffer[] = [];
    const end = request.end.bind(request) as (...rest: unknown[]) => ClientRequest;
    request.end = ((...rest: unknown[]) => {
      const [chunk] = rest;
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) sent.push(Buffer.from(chunk));
      return end(...rest);
    }) as ClientRequest['end'];
    // Registered before the caller's own listener: the body is read alongside the caller's read.
    request.on('response', (message: IncomingMessage) => {
      const received = !request.destroyed;
      const chunks: Buffer[] = [];
      let reported = false;
      const report = () => {
        if (reported) return;
        reported = true;
        const body = Buffer.concat(chunks).toString('utf8');
        exchange.answered(message.statusCode ?? 0, Buffer.concat(sent).toString(), body, received);
      };
      message.on('data', (chunk: Buffer) => chunks.push(chunk));
      message.once('end', report);
      message.once('close', report);
    });
    return request;
  };
  https.request = wrapped as typeof https.request;
  syncBuiltinESMExports();
  return () => {
    https.request = original;
    syncBuiltinESMExports();
  };
};
