import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createApiHandler } from './api-routes.ts';
import { createControl } from './control.ts';
import { createControlHandler } from './control-routes.ts';
import { createEnterprises } from './enterprise.ts';
import { type Listener, listen } from './listeners.ts';
import { messageReply, send } from './reply.ts';
import type { SigningHubSimulator, SimulatorCredentials, SimulatorOptions } from './types.ts';

export { MAX_BODY_BYTES } from './request-body.ts';
export type {
  CallbackMode,
  EnterpriseControl,
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

const ENTERPRISE_PATH = /^\/enterprises\/([^/]+)(\/.*)?$/;

/**
 * Starts a stand-in for SigningHub on 127.0.0.1: one or more enterprises' API (api-routes.ts),
 * the default one at the root and each other under /enterprises/<name>, for the functions under
 * test; the control API under /_simulator/ (control-routes.ts) for other processes; and the
 * returned object (control.ts) for tests in the same process. With `tls` it listens with HTTPS
 * too, on another port, and serves the same there.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SigningHubSimulator> {
  const log = options.log ?? (() => {});
  const enterprises = createEnterprises(options, DEFAULT_SIMULATOR_CREDENTIALS, log);
  const [main, ...others] = enterprises;
  const apiHandlers = new Map(
    others.map((enterprise) => [enterprise.name, createApiHandler(enterprise)]),
  );
  // The default enterprise's handler takes every other path, an unknown enterprise's included.
  const handleDefault = createApiHandler(main);
  const handleApi = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const match = ENTERPRISE_PATH.exec(path);
    const handler = match ? apiHandlers.get(match[1] ?? '') : undefined;
    return handler ? handler(req, res, match?.[2] ?? '') : handleDefault(req, res, path);
  };
  const handleControl = createControlHandler(enterprises, log);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://simulator');
    } catch {
      url = new URL('http://simulator/');
    }
    const path = url.pathname;
    const handled = path.startsWith('/_simulator/')
      ? handleControl(req, res, path, url.searchParams)
      : handleApi(req, res, path);
    handled.catch((error: unknown) => {
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
  };

  const listeners: Listener[] = [];
  const closeListeners = () => Promise.all(listeners.map((listener) => listener.close()));
  try {
    listeners.push(await listen(createServer(onRequest), options.port ?? 0));
    if (options.tls) {
      const { cert, key, clientCa } = options.tls;
      // Asks every client for a certificate but serves one without (host.ts says why).
      const server = createHttpsServer(
        { cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: false },
        onRequest,
      );
      listeners.push(await listen(server, options.httpsPort ?? 0));
    }
  } catch (error) {
    await closeListeners();
    throw error;
  }
  const [plain, secure] = listeners;
  const origins = {
    http: `http://127.0.0.1:${plain?.port}`,
    https: secure === undefined ? undefined : `https://127.0.0.1:${secure.port}`,
  };
  log(
    `SigningHub simulator listening on ${origins.http}` +
      (origins.https === undefined ? '' : ` and ${origins.https}`),
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const enterprise of enterprises) enterprise.callbacks.stop();
      await closeListeners();
    })();
    return closing;
  };
  return createControl(enterprises, origins, close);
}
