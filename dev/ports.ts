import { createConnection, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

const bindable = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      // A host this machine lacks (no IPv6) says nothing about the port.
      resolve(error.code !== 'EADDRINUSE' && error.code !== 'EACCES'),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

/** Free for every server the stack starts: loopback ones, and DynamoDB Local on all interfaces. */
export const isPortFree = async (port: number): Promise<boolean> =>
  (await bindable(port, '127.0.0.1')) && (await bindable(port, '0.0.0.0'));

export const isPortOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

/** Resolves once something accepts connections on the port; false when the time or signal ran out. */
export const waitForPort = async (
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    if (await isPortOpen(port)) return true;
    await delay(200, undefined, { signal }).catch(() => undefined);
  }
  return false;
};
