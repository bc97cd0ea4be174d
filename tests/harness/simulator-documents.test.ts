import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { documentBytes, documentSha256 } from '../../harness/simulator/document-bytes.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import {
  ALICE,
  BOB,
  closeAll,
  control,
  credentialsOf,
  digestOf,
  downloadDocument,
  finish,
  start,
  startReceiver,
  tokenFor,
  waitUntil,
  workflow,
} from './simulator-client.ts';

// The documents of a simulated package: listed in the workflow details, each served as its bytes
// to the package's owner or signers, with scripted failures and bodies that stall or are cut off.

afterEach(closeAll);

const OWNER = DEFAULT_SIMULATOR_CREDENTIALS.username;
const MiB = 1024 * 1024;

/** The simulator's downloads, each without its time. */
const downloadsOf = (simulator: Pick<SigningHubSimulator, 'downloads'>) =>
  simulator.downloads.map(({ at: _, ...download }) => download);

describe('the documents of a package', () => {
  it('has one document and the enterprise’s user as its owner by default', async () => {
    const simulator = await start();
    simulator.createPackage(21, [ALICE]);

    const details = await (await workflow(simulator, 21, await tokenFor(simulator))).json();

    expect(details).toMatchObject({
      package_owner: OWNER,
      documents: [
        {
          document_id: 1,
          document_name: 'package-21.pdf',
          document_order: 1,
          document_type: 'PDF',
        },
      ],
    });
    expect(simulator.getDocuments(21)).toEqual({
      packageId: 21,
      owner: OWNER,
      documents: [{ documentId: 1, name: 'package-21.pdf', order: 1, bytes: 65_536 }],
    });
  });

  it('lists the documents a test sets, as given, and the owner it sets or none', async () => {
    const simulator = await start();
    simulator.setDocuments(22, [
      { documentId: 9, name: 'Contrat signé.pdf', order: 2, bytes: 10 },
      { documentId: 8 },
    ]);
    simulator.setPackageOwner(22, 'Carol@Example.com');
    const token = await tokenFor(simulator);
    const listed = await (await workflow(simulator, 22, token)).json();
    simulator.setPackageOwner(22, null);
    const withoutOwner = await (await workflow(simulator, 22, token)).json();
    simulator.setPackageOwner(22, '');
    const withEmptyOwner = await (await workflow(simulator, 22, token)).json();

    expect(listed).toMatchObject({
      package_owner: 'Carol@Example.com',
      documents: [
        { document_id: 9, document_name: 'Contrat signé.pdf', document_order: 2 },
        { document_id: 8, document_name: 'document-8.pdf', document_order: 2 },
      ],
    });
    expect(withoutOwner).not.toHaveProperty('package_owner');
    expect(withEmptyOwner).toMatchObject({ package_owner: '' });
    expect(simulator.getDocuments(22)?.documents[1]?.bytes).toBe(65_536);
  });

  it('names the package’s owner in its webhook callback', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ callback: { url: receiver.url, mode: 'webhook' } });
    simulator.createPackage(23, [ALICE]);
    simulator.setPackageOwner(23, 'carol@example.com');

    await finish(simulator, 23, await tokenFor(simulator, ALICE));
    await simulator.callbacksSettled();

    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toMatchObject({
      package_owner: 'carol@example.com',
    });
  });

  it('keeps each enterprise’s packages apart, with the same package ids', async () => {
    const simulator = await start({
      enterprises: { acme: { credentials: credentialsOf('acme') } },
    });
    const acme = simulator.enterprise('acme');
    simulator.setDocuments(5, [{ documentId: 1, bytes: 100 }]);
    acme.createPackage(5, []);

    expect(acme.getDocuments(5)).toMatchObject({
      owner: credentialsOf('acme').username,
      documents: [{ documentId: 1, bytes: 65_536 }],
    });
    expect(simulator.getDocuments(5)?.documents[0]?.bytes).toBe(100);
  });
});

describe('a document’s bytes', () => {
  it('are served to the owner as an octet stream, and are documentBytes’ for it', async () => {
    const simulator = await start();
    simulator.setDocuments(30, [{ documentId: 7, name: 'a b.pdf', bytes: 3 * MiB + 5 }]);
    const spec = { tenant: 'default', packageId: 30, documentId: 7, bytes: 3 * MiB + 5 };

    const response = await downloadDocument(simulator, 30, 7, await tokenFor(simulator, OWNER));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe(String(spec.bytes));
    expect(response.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''a%20b.pdf",
    );
    expect(await digestOf(response.body)).toEqual({
      bytes: spec.bytes,
      sha256: await documentSha256(spec),
    });
    expect(downloadsOf(simulator)).toEqual([
      {
        enterprise: 'default',
        packageId: 30,
        documentId: 7,
        scope: OWNER,
        bytes: spec.bytes,
        bytesSent: spec.bytes,
        end: 'complete',
      },
    ]);
    expect(simulator.count('document', 30)).toBe(1);
  });

  it('start with %PDF-1.7 and differ by tenant, package and document, whatever the chunking', async () => {
    const first = async (tenant: string, packageId: number, documentId: number) => {
      for await (const chunk of documentBytes({ tenant, packageId, documentId, bytes: 64 })) {
        return Buffer.from(chunk);
      }
      throw new Error('no bytes');
    };
    const base = await first('default', 1, 1);
    const others = [await first('acme', 1, 1), await first('default', 2, 1)];
    others.push(await first('default', 1, 2));
    const chunks = [];
    for await (const chunk of documentBytes({
      tenant: 'acme',
      packageId: 1,
      documentId: 2,
      bytes: 200_000,
    })) {
      chunks.push(chunk.byteLength);
    }

    expect(base.subarray(0, 9).toString('latin1')).toBe('%PDF-1.7\n');
    expect(await first('default', 1, 1)).toEqual(base);
    for (const other of others) {
      expect(other.subarray(0, 9)).toEqual(base.subarray(0, 9));
      expect(other.subarray(9)).not.toEqual(base.subarray(9));
    }
    expect(chunks).toEqual([65_536, 65_536, 65_536, 3_392]);
    const short = [];
    for await (const chunk of documentBytes({
      tenant: 'default',
      packageId: 1,
      documentId: 1,
      bytes: 4,
    })) {
      short.push(...chunk);
    }
    expect(Buffer.from(short).toString('latin1')).toBe('%PDF');
  });

  it('come no faster than the client takes them: a GiB costs the simulator a few MiB', async () => {
    const simulator = await start();
    simulator.setDocuments(31, [{ documentId: 1, bytes: 1024 * MiB }]);
    const token = await tokenFor(simulator, OWNER);
    const socket = connect(Number(new URL(simulator.url).port), '127.0.0.1');
    socket.pause();
    socket.write(
      `GET /v3/packages/31/documents/1 HTTP/1.1\r\nHost: simulator\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    await waitUntil(() => simulator.downloads.length === 1);
    // Until nothing more goes out: the socket's buffers are full and nobody reads them.
    let sent = -1;
    await waitUntil(() => {
      const now = simulator.downloads[0]?.bytesSent ?? 0;
      const still = now === sent;
      sent = now;
      return still && now > 0;
    });

    expect(sent).toBeLessThan(32 * MiB);
    expect(simulator.downloads[0]?.end).toBe('sending');
    socket.destroy();
    await waitUntil(() => simulator.downloads[0]?.end === 'abandoned');
  });
});

describe('who may have a document', () => {
  const started = async () => {
    const simulator = await start();
    simulator.createPackage(40, [ALICE, BOB]);
    simulator.setDocuments(40, [{ documentId: 3, bytes: 10 }]);
    return simulator;
  };

  it.each([
    ['its owner', OWNER.toUpperCase()],
    ['a signer', 'Bob@Example.com'],
  ])('serves %s, compared without regard to case', async (_, user) => {
    const simulator = await started();
    const response = await downloadDocument(simulator, 40, 3, await tokenFor(simulator, user));
    expect(response.status).toBe(200);
    expect((await digestOf(response.body)).bytes).toBe(10);
  });

  it('refuses another user, and the account itself while the package has an owner', async () => {
    const simulator = await started();

    const stranger = await downloadDocument(simulator, 40, 3, await tokenFor(simulator, 'x@y.z'));
    const account = await downloadDocument(simulator, 40, 3, await tokenFor(simulator));

    for (const refused of [stranger, account]) {
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        Error: 'Forbidden',
        Message: 'Document does not belong to user',
      });
    }
    expect(simulator.downloads).toEqual([]);
  });

  it.each([null, ''])('serves the account itself when the owner is %j', async (owner) => {
    const simulator = await started();
    simulator.setPackageOwner(40, owner);
    const account = await downloadDocument(simulator, 40, 3, await tokenFor(simulator));
    expect(account.status).toBe(200);
    await digestOf(account.body);
    expect(downloadsOf(simulator)).toMatchObject([{ scope: '', end: 'complete' }]);
  });

  it('answers 401 without a token or with one it never issued', async () => {
    const simulator = await started();
    for (const token of [undefined, 'not-a-token']) {
      const response = await downloadDocument(simulator, 40, 3, token);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ Message: 'Request authorization denied' });
    }
  });

  it('answers 404 for a document or package it does not have, and 403 in draft', async () => {
    const simulator = await start({ autoCreatePackages: false });
    simulator.createPackage(41, []);
    simulator.createPackage(42, []);
    simulator.deletePackage(42);
    simulator.createPackage(43, []);
    simulator.setWorkflowStatus(43, 'DRAFT');
    const token = await tokenFor(simulator, OWNER);

    const answers = [
      await downloadDocument(simulator, 41, 2, token),
      await downloadDocument(simulator, 42, 1, token),
      await downloadDocument(simulator, 44, 1, token),
    ];
    const draft = await downloadDocument(simulator, 43, 1, token);
    const badId = await downloadDocument(simulator, 41, 'x', token);

    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({ Message: 'Document not found' });
    }
    expect(draft.status).toBe(403);
    expect(await draft.json()).toMatchObject({
      Message: 'Downloading document is not allowed in draft mode',
    });
    expect(badId.status).toBe(400);
    expect((await downloadDocument(simulator, 41, 1, token)).status).toBe(200);
  });
});

describe('scripted document answers', () => {
  it('plays a package’s answers in order, a document’s own first, then serves it', async () => {
    const simulator = await start();
    simulator.setDocuments(50, [
      { documentId: 1, bytes: 5 },
      { documentId: 2, bytes: 5 },
    ]);
    const scripts = `${simulator.url}/_simulator/scripts`;
    const queued = await control(scripts, 'POST', {
      packageId: 50,
      operation: 'document',
      responses: [
        { status: 503 },
        { status: 429, headers: { 'Retry-After': '4' }, body: { Message: 'slow down' } },
      ],
    });
    const own = await control(scripts, 'POST', {
      packageId: 50,
      operation: 'document',
      documentId: 2,
      responses: [{ status: 404, body: { Message: 'Document not found' } }],
    });
    const token = await tokenFor(simulator, OWNER);
    const statuses = [];
    for (const documentId of [2, 2, 1, 1]) {
      const response = await downloadDocument(simulator, 50, documentId, token);
      statuses.push([documentId, response.status, response.headers.get('retry-after')]);
      await response.arrayBuffer();
    }

    expect(await queued.json()).toEqual({
      packageId: 50,
      operation: 'document',
      documentId: null,
      queued: 2,
    });
    expect(await own.json()).toEqual({
      packageId: 50,
      operation: 'document',
      documentId: 2,
      queued: 1,
    });
    expect(statuses).toEqual([
      [2, 404, null],
      [2, 503, null],
      [1, 429, '4'],
      [1, 200, null],
    ]);
  });

  it('stalls a body after its bytes until the client gives up, and records what was sent', async () => {
    const simulator = await start();
    simulator.setDocuments(51, [{ documentId: 1, bytes: MiB }]);
    simulator.scriptDocument(51, 1, { stallAfterBytes: 100_000 });
    const caller = new AbortController();
    const response = await fetch(`${simulator.url}/v3/packages/51/documents/1`, {
      headers: { authorization: `Bearer ${await tokenFor(simulator, OWNER)}` },
      signal: caller.signal,
    });
    const reader = response.body?.getReader();
    let received = 0;
    while (received < 100_000) received += (await reader?.read())?.value?.byteLength ?? 0;

    expect(received).toBe(100_000);
    expect(downloadsOf(simulator)).toMatchObject([{ bytesSent: 100_000, end: 'sending' }]);
    caller.abort();
    await waitUntil(() => simulator.downloads[0]?.end === 'abandoned');
  });

  it('stalls a body for its time, then sends the rest, whole', async () => {
    const simulator = await start();
    simulator.setDocuments(52, [{ documentId: 1, bytes: 200_000 }]);
    simulator.scriptDocument(52, undefined, { stallAfterBytes: 0, stallMs: 300 });
    const token = await tokenFor(simulator, OWNER);
    const started = Date.now();

    const digest = await digestOf((await downloadDocument(simulator, 52, 1, token)).body);

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(digest.sha256).toBe(
      await documentSha256({ tenant: 'default', packageId: 52, documentId: 1, bytes: 200_000 }),
    );
    expect(downloadsOf(simulator)).toMatchObject([{ bytesSent: 200_000, end: 'complete' }]);
  });

  it('cuts a body off after its bytes', async () => {
    const simulator = await start();
    simulator.setDocuments(53, [{ documentId: 1, bytes: MiB }]);
    simulator.scriptDocument(53, 1, { cutAfterBytes: 70_000 });
    const response = await downloadDocument(simulator, 53, 1, await tokenFor(simulator, OWNER));
    let received = 0;

    const error = await (async () => {
      try {
        for await (const chunk of response.body ?? []) received += chunk.byteLength;
      } catch (failure) {
        return failure;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(TypeError);
    expect(received).toBe(70_000);
    expect(downloadsOf(simulator)).toMatchObject([{ bytesSent: 70_000, end: 'cut' }]);
  });

  it('keeps a body fault for the call that gets its 200', async () => {
    const simulator = await start();
    simulator.setDocuments(54, [{ documentId: 1, bytes: 50 }]);
    simulator.scriptDocument(54, 1, { cutAfterBytes: 10 }, { status: 500 });

    const refused = await downloadDocument(simulator, 54, 1, await tokenFor(simulator));
    const cut = await downloadDocument(simulator, 54, 1, await tokenFor(simulator, OWNER));
    await cut.arrayBuffer().catch(() => undefined);
    const scripted = await downloadDocument(simulator, 54, 1);

    expect(refused.status).toBe(403);
    expect(scripted.status).toBe(500);
    expect(downloadsOf(simulator)).toMatchObject([{ bytesSent: 10, end: 'cut' }]);
  });
});
