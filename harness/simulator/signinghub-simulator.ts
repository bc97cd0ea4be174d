import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createApiHandler } from './api-routes.ts';
import { createTokenIssuer } from './auth.ts';
import { createCallLog } from './call-log.ts';
import { createCallbacks } from './callbacks.ts';
import { createControl } from './control.ts';
import { createControlHandler } from './control-routes.ts';
import { createPackageStore } from './packages.ts';
import { messageReply, send } from './reply.ts';
import { createScriptQueue } from './scripts.ts';
import type { SigningHubSimulator, SimulatorCredentials, SimulatorOptions } from './types.ts';

export { MAX_BODY_BYTES } from './request-body.ts';
export type {
  CallbackMode,
  SigningHubSimulator,
  SimulatorCredentials,
  SimulatorOptions,
} from './types.ts';

export const DEFAULT_SIMULATOR_CREDENTIALS: Readonly<SimulatorCredentials> = Object.freeze({
  clientId: 'simulator-client',
  clientSecret: 'simulator-client-secret',
  username: 'integration@example.com',
  password: 'simulator-password',
});

/**
 * Starts a stand-in for SigningHub on 127.0.0.1: its API (see api-routes.ts) for the functions
 * under test, the control API under /_simulator/ (control-routes.ts) for other processes, and
 * the returned object (control.ts) for tests in the same process.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SigningHubSimulator> {
  const credentials = options.credentials ?? DEFAULT_SIMULATOR_CREDENTIALS;
  const log = options.log ?? (() => {});
  const tokens = createTokenIssuer({
    credentials,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86399,
    otpRequired: options.otpRequired ?? false,
  });
  const packages = createPackageStore(options.autoCreatePackages ?? true);
  const scripts = createScriptQueue();
  const callLog = createCallLog(log);
  const callbacks = createCallbacks({
    config: options.callback,
    packageOwner: credentials.username,
    log,
  });
  const handleApi = createApiHandler({ tokens, packages, scripts, callLog, callbacks });
  const handleControl = createControlHandler({ packages, scripts, callLog, callbacks, log });

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
        send(
          res,
          messageReply(500, 'An internal server error occurred while processing the request'),
        );
      } else {
        res.destroy();
      }
    });
  });
  const sockets = new Set<Socket>();
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log(`SigningHub simulator listening on ${url}`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      callbacks.stop();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };
  return createControl({ url, close, tokens, packages, scripts, callLog, callbacks });
}
