import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../../../harness/test-certificates.ts';
import { tlsFetch } from '../../../lib/signinghub/tls-fetch.ts';

let certificates: TestCertificates;
let server: Server;
let baseUrl: string;
let handshakes = 0;
let closed = 0;

beforeAll(async () => {
  certificates = await makeTestCertificates();
  server = createServer(
    {
      cert: certificates.server.cert,
      key: certificates.server.key,
      ca: certificates.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        // A slow answer: its first bytes now, the rest never.
        if (req.url?.includes('slow')) res.write('{"message":');
        else res.end(JSON.stringify({ message: 'done' }));
      });
    },
  );
  server.on('secureConnection', (socket) => {
    handshakes += 1;
    socket.on('close', () => {
      closed += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('a tenant’s TLS connection', () => {
  it('is used again after an answer whose body was cancelled unread, as a finish’s is', async () => {
    const client = await certificates.client('tenant');
    const tls = tlsFetch({ certificate: client.cert, key: client.key, ca: certificates.ca.cert });
    try {
      for (let i = 0; i < 5; i += 1) {
        const response = await tls.fetch(`${baseUrl}/v3/packages/${i}/finish`, { method: 'POST' });
        expect(response.status).toBe(200);
        await response.body?.cancel();
      }
      expect(handshakes).toBe(1);
    } finally {
      tls.retire();
    }
  });

  it('is cut when the body cancelled is still coming, and the next request opens another', async () => {
    const client = await certificates.client('tenant');
    const tls = tlsFetch({ certificate: client.cert, key: client.key, ca: certificates.ca.cert });
    try {
      const before = { handshakes, closed };
      const slow = await tls.fetch(`${baseUrl}/slow`, { method: 'POST' });
      const reader = slow.body?.getReader();
      await reader?.read();
      await reader?.cancel();
      await vi.waitFor(() => expect(closed).toBe(before.closed + 1), { timeout: 10_000 });
      const next = await tls.fetch(`${baseUrl}/v3/packages/1/finish`, { method: 'POST' });
      await next.body?.cancel();
      expect(handshakes).toBe(before.handshakes + 2);
    } finally {
      tls.retire();
    }
  });
});
