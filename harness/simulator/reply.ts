import type { ServerResponse } from 'node:http';

/** An answer: a string body goes as text/plain, any other body as JSON, none as an empty body. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends a reply with its content-length; does nothing once the response has started or died. */
export function send(res: ServerResponse, reply: Reply): void {
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

/** An error the way SigningHub's API spells it: `{"Message": "..."}`. */
export function messageReply(status: number, message: string): Reply {
  return { status, body: { Message: message } };
}
