import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A server listening on 127.0.0.1. */
export interface Listener {
  readonly port: number;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 picks a free one), keeping track of the connections to cut on close. */
export async function listen(server: Server, port: number): Promise<Listener> {
  const sockets = new Set<Socket>();
  // The raw socket of every connection, TLS ones included (before their handshake).
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
