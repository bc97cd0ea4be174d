import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentSha256 } from '../../../harness/simulator/document-bytes.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../../harness/simulator/types.ts';
import { makeTestCertificates } from '../../../harness/test-certificates.ts';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import { FinalSigningHubError, RetryableSigningHubError } from '../../../lib/signinghub/errors.ts';
import type { SigningHubClientOptions } from '../../../lib/signinghub/signinghub-client.ts';
import { digestOf, waitUntil } from '../../harness/simulator-client.ts';
import { rejection } from '../../support/rejection.ts';
import { CLIENT_CREDENTIALS_GRANT, clientOf } from '../../support/signinghub-fake.ts';

// The client's documents against the simulator, over real sockets: what the archive relies on.

const OWNER = DEFAULT_SIMULATOR_CREDENTIALS.username;
const MiB = 1024 * 1024;
const ACME = {
  clientId: 'acme-client',
  clientSecret: 'acme-client-secret',
  username: 'admin@acme.example',
  password: 'acme-password',
};

let simulator: SigningHubSimulator;
let certificates: Awaited<ReturnType<typeof makeTestCertificates>>;
beforeAll(async () => {
  certificates = await makeTestCertificates();
  simulator = await startSimulator({
    tokenTtlSeconds: 600,
    tls: {
      cert: certificates.server.cert,
      key: certificates.server.key,
      clientCa: certificates.ca.cert,
    },
    enterprises: { acme: { credentials: ACME, clientCertificate: { commonName: 'acme-client' } } },
  });
}, 60_000);
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

/** A client of acme, which serves only a request with its client certificate, over HTTPS. */
const acmeClient = async () => {
  const pair = await certificates.client('acme-client');
  return clientOf(
    simulator.enterprise('acme').httpsUrl ?? '',
    {},
    {
      tenant: 'acme',
      grant: { type: 'password', ...ACME },
      tls: { certificate: pair.cert, key: pair.key, ca: certificates.ca.cert },
    },
  );
};

const client = (
  options: Partial<SigningHubClientOptions> = {},
  access: Partial<SigningHubAccess> = {},
) => clientOf(simulator.url, options, access);

describe('a package’s documents from the simulator', () => {
  it.each([
    ['password', {}],
    ['client credentials', { grant: CLIENT_CREDENTIALS_GRANT }],
  ])('lists them and streams each as its owner, with the %s grant', async (_, access) => {
    simulator.setDocuments(70, [
      { documentId: 12, name: 'annex.pdf', order: 2, bytes: 6 * MiB + 1 },
      { documentId: 11, name: 'contract.pdf', order: 1, bytes: 1000 },
    ]);
    const sh = client({}, access);

    const listed = await sh.getPackageDocuments(70);
    const digests = [];
    for (const document of listed?.documents ?? []) {
      const body = await sh.downloadDocument(70, document.documentId, { scope: listed?.owner });
      digests.push(await digestOf(body));
    }

    expect(listed).toEqual({
      packageId: 70,
      workflowStatus: 'IN_PROGRESS',
      owner: OWNER,
      documents: [
        { documentId: 11, name: 'contract.pdf', order: 1 },
        { documentId: 12, name: 'annex.pdf', order: 2 },
      ],
    });
    const spec = (documentId: number, bytes: number) => ({
      tenant: 'default',
      packageId: 70,
      documentId,
      bytes,
    });
    expect(digests).toEqual([
      { bytes: 1000, sha256: await documentSha256(spec(11, 1000)) },
      { bytes: 6 * MiB + 1, sha256: await documentSha256(spec(12, 6 * MiB + 1)) },
    ]);
    expect(simulator.downloads.map(({ scope, end }) => [scope, end])).toEqual([
      [OWNER, 'complete'],
      [OWNER, 'complete'],
    ]);
  });

  it('is refused to the account itself while the package has an owner', async () => {
    const error = await rejection(client().downloadDocument(71, 1));
    expect(error).toBeInstanceOf(FinalSigningHubError);
    expect(error).toMatchObject({
      httpStatus: 403,
      signingHubMessage: 'Document does not belong to user',
    });
  });

  it('answers undefined for a deleted package and a final 404 for an unknown document', async () => {
    simulator.createPackage(72, []);
    simulator.deletePackage(72);
    expect(await client().getPackageDocuments(72)).toBeUndefined();
    const error = await rejection(client().downloadDocument(73, 9, { scope: OWNER }));
    expect(error).toMatchObject({ httpStatus: 404, retry: 'never' });
  });

  it('takes a new token once when SigningHub no longer knows the one it holds', async () => {
    const sh = client();
    await digestOf(await sh.downloadDocument(74, 1, { scope: OWNER }));
    simulator.revokeTokens();
    await digestOf(await sh.downloadDocument(74, 1, { scope: OWNER }));

    expect(simulator.calls.map(({ operation, status }) => [operation, status])).toEqual([
      ['authenticate', 200],
      ['document', 200],
      ['document', 401],
      ['authenticate', 200],
      ['document', 200],
    ]);
  });

  it('takes a scripted 429 for transient, with its Retry-After', async () => {
    simulator.scriptDocument(75, undefined, { status: 429, headers: { 'Retry-After': '9' } });
    const error = await rejection(client().downloadDocument(75, 1, { scope: OWNER }));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: 429, retryAfterMs: 9_000 });
  });
});

describe('a large document', () => {
  it.each([
    ['Node’s fetch', false],
    ['the tenant’s TLS fetch', true],
  ])('is read from SigningHub no faster than it is consumed, over %s', async (_, overTls) => {
    const acme = simulator.enterprise('acme');
    const host = overTls ? acme : simulator;
    host.setDocuments(79, [{ documentId: 1, bytes: 1024 * MiB }]);
    const sh = overTls ? await acmeClient() : client();
    const reader = (
      await sh.downloadDocument(79, 1, { scope: overTls ? ACME.username : OWNER })
    ).getReader();
    await reader.read();
    // Until nothing more goes out: every buffer between the two is full, and nobody reads.
    let sent = -1;
    await waitUntil(() => {
      const now = host.downloads[0]?.bytesSent ?? 0;
      const still = now === sent;
      sent = now;
      return still;
    });

    expect(sent).toBeLessThan(32 * MiB);
    await reader.cancel();
    await waitUntil(() => host.downloads[0]?.end === 'abandoned');
  });
});

describe('a document body that stops', () => {
  it('errors after a stall of the timeout, and the request is cancelled', async () => {
    simulator.setDocuments(76, [{ documentId: 1, bytes: MiB }]);
    simulator.scriptDocument(76, 1, { stallAfterBytes: 200_000 });
    const body = await client({ timeoutMs: 500 }).downloadDocument(76, 1, { scope: OWNER });

    const error = await rejection(digestOf(body));

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toBe(
      'SigningHub document failed: the document’s body stalled: no bytes for 500 ms',
    );
    // The simulator sees the connection go: nothing is left waiting on it.
    await waitUntil(() => simulator.downloads[0]?.end === 'abandoned');
    expect(simulator.downloads[0]?.bytesSent).toBe(200_000);
  });

  it('errors as a transient network failure when the body is cut off', async () => {
    simulator.setDocuments(77, [{ documentId: 1, bytes: MiB }]);
    simulator.scriptDocument(77, 1, { cutAfterBytes: 100_000 });
    const body = await client().downloadDocument(77, 1, { scope: OWNER });

    const error = await rejection(digestOf(body));

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toMatch(/^SigningHub document failed: network error: /);
  });
});

describe('a tenant behind a client certificate', () => {
  it('lists and downloads over the tenant’s TLS setting', async () => {
    const acme = simulator.enterprise('acme');
    acme.setDocuments(78, [{ documentId: 2, bytes: 300_000 }]);
    const sh = await acmeClient();

    const listed = await sh.getPackageDocuments(78);
    const digest = await digestOf(await sh.downloadDocument(78, 2, { scope: listed?.owner }));

    expect(listed?.owner).toBe(ACME.username);
    expect(digest.sha256).toBe(
      await documentSha256({ tenant: 'acme', packageId: 78, documentId: 2, bytes: 300_000 }),
    );
    expect(
      acme.calls.map(({ operation, clientCertificate }) => [operation, clientCertificate]),
    ).toEqual([
      ['authenticate', 'acme-client'],
      ['workflow', 'acme-client'],
      ['authenticate', 'acme-client'],
      ['document', 'acme-client'],
    ]);
  });
});
