import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { DownMode, ScriptedResponse } from './types.ts';

/** What one enterprise's host does before any route: whether it is up, whose certificate it wants. */
export interface HostState {
  down: DownMode | false;
  /** The common name a request's client certificate must have; undefined: none is needed. */
  readonly clientCommonName: string | undefined;
}

/**
 * The common name of the client certificate a request came with, when the listener's CA verified
 * it; undefined over plain HTTP, without a certificate, or with one the CA did not sign.
 */
export function verifiedClientName(req: IncomingMessage): string | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const commonName: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof commonName === 'string' ? commonName : undefined;
}

/**
 * How the host answers a request before any route, token or script: a host that is down drops
 * it or answers 503; one that needs a client certificate answers 403 to a request without the
 * right one. The HTTPS listener asks for a certificate but completes the handshake without one
 * (and with one it cannot verify), because it also serves the enterprises that need none, and a
 * 403 with a message tells a test what went wrong where a failed handshake would not.
 */
export function hostRefusal(
  host: HostState,
  clientName: string | undefined,
): ScriptedResponse | undefined {
  if (host.down === 'drop') return { drop: true };
  if (host.down === 'unavailable') {
    return { status: 503, body: { Message: 'The service is unavailable' } };
  }
  if (host.clientCommonName !== undefined && clientName !== host.clientCommonName) {
    return { status: 403, body: { Message: 'A client certificate is required' } };
  }
  return undefined;
}
