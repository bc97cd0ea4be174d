import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import {
  closeAll,
  control,
  credentialsOf,
  downloadDocument,
  start,
  tokenFor,
  workflow,
} from './simulator-client.ts';

// The control API's routes for documents, which other processes (the soak, npm start) use.

afterEach(closeAll);

const OWNER = DEFAULT_SIMULATOR_CREDENTIALS.username;

describe('a package’s documents over the control API', () => {
  it('sets the documents and the owner, reads them back, per enterprise', async () => {
    const simulator = await start({
      enterprises: { acme: { credentials: credentialsOf('acme') } },
    });
    const documents = `${simulator.url}/_simulator/packages/60/documents`;

    const set = await control(`${documents}?enterprise=acme`, 'PUT', {
      documents: [{ documentId: 4, name: 'big.pdf', order: 1, bytes: 3_000_000_000 }],
      owner: 'owner@acme.example',
    });
    const read = await control(`${documents}?enterprise=acme`, 'GET');
    const ownerOnly = await control(`${documents}?enterprise=acme`, 'PUT', { owner: null });
    const atDefault = await control(documents, 'GET');

    const view = {
      packageId: 60,
      owner: 'owner@acme.example',
      documents: [{ documentId: 4, name: 'big.pdf', order: 1, bytes: 3_000_000_000 }],
    };
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual(view);
    expect(await read.json()).toEqual(view);
    expect(await ownerOnly.json()).toEqual({ ...view, owner: null });
    expect(atDefault.status).toBe(404);
    expect(await atDefault.json()).toEqual({ Message: 'Document not found' });
    const acme = simulator.enterprise('acme');
    const details = await workflow(
      acme,
      60,
      await tokenFor(acme, undefined, credentialsOf('acme')),
    );
    expect(await details.json()).toMatchObject({
      documents: [{ document_id: 4, document_name: 'big.pdf' }],
    });
  });

  it.each([
    [{}, 'give documents, owner or both'],
    [{ owner: 5 }, 'owner must be an email, an empty string or null'],
    [{ documents: 'a.pdf' }, 'documents must be an array of at most 1000 documents'],
    [{ documents: [{ name: 'a.pdf' }] }, 'each document needs a documentId (a positive integer)'],
    [{ documents: [{ documentId: -1 }] }, 'each document needs a documentId (a positive integer)'],
    [{ documents: [{ documentId: 1 }, { documentId: 1 }] }, 'document 1 is listed twice'],
    [{ documents: [{ documentId: 1, name: 2 }] }, 'name must be a string'],
    [{ documents: [{ documentId: 1, order: 1.5 }] }, 'order must be an integer'],
    [{ documents: [{ documentId: 1, bytes: -1 }] }, 'bytes must be a byte count'],
    [
      { documents: [{ documentId: 1 }], owner: 5 },
      'owner must be an email, an empty string or null',
    ],
  ])('refuses %j and changes nothing', async (body, message) => {
    const simulator = await start();
    simulator.createPackage(61, []);

    const refused = await control(`${simulator.url}/_simulator/packages/61/documents`, 'PUT', body);

    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ Message: message });
    expect(simulator.getDocuments(61)).toMatchObject({
      owner: OWNER,
      documents: [{ documentId: 1 }],
    });
  });

  it('refuses a package id that is not one', async () => {
    const simulator = await start();
    const refused = await control(`${simulator.url}/_simulator/packages/x/documents`, 'GET');
    expect(refused.status).toBe(400);
  });
});

describe('document scripts over the control API', () => {
  it('queues body faults, for one document or any, and refuses what is not one', async () => {
    const simulator = await start();
    const scripts = `${simulator.url}/_simulator/scripts`;
    const post = (fields: Record<string, unknown>) =>
      control(scripts, 'POST', { packageId: 62, operation: 'document', ...fields });

    const accepted = await post({
      documentId: 1,
      responses: [
        { stallAfterBytes: 5, stallMs: 10 },
        { stallAfterBytes: 5 },
        { cutAfterBytes: 0 },
      ],
    });
    const refusals = [
      [{ documentId: 0, responses: [{ status: 500 }] }, 'documentId must be a positive integer'],
      [{ responses: [{ stallAfterBytes: -1 }] }, 'stallAfterBytes must be a byte count'],
      [{ responses: [{ stallAfterBytes: 1, stallMs: 'x' }] }, 'stallMs must be a number'],
      [{ responses: [{ cutAfterBytes: 1.5 }] }, 'cutAfterBytes must be a byte count'],
      [{ responses: [{ status: 700 }] }, 'each response needs a status'],
      [{ responses: [] }, 'responses must be an array of 1 to 1000 answers'],
    ] as const;

    expect(await accepted.json()).toEqual({
      packageId: 62,
      operation: 'document',
      documentId: 1,
      queued: 3,
    });
    for (const [fields, message] of refusals) {
      const refused = await post(fields);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { Message: string }).Message).toContain(message);
    }
  });

  it('drops a package’s document answers with its others, and on reset', async () => {
    const simulator = await start();
    simulator.setDocuments(63, [{ documentId: 1, bytes: 3 }]);
    simulator.script(63, 'finish', { status: 500 });
    simulator.scriptDocument(63, 1, { status: 500 });
    simulator.scriptDocument(63, undefined, { status: 502 }, { cutAfterBytes: 1 });
    simulator.scriptDocument(64, 1, { status: 503 });
    const token = await tokenFor(simulator, OWNER);

    const removed = await control(`${simulator.url}/_simulator/scripts/63`, 'DELETE');
    const served = await downloadDocument(simulator, 63, 1, token);
    simulator.reset();
    simulator.setDocuments(64, [{ documentId: 1, bytes: 3 }]);
    const afterReset = await downloadDocument(simulator, 64, 1, await tokenFor(simulator, OWNER));

    expect(await removed.json()).toEqual({ packageId: 63, removed: 4 });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).toString('latin1')).toBe('%PD');
    expect(afterReset.status).toBe(200);
  });

  it('lists the downloads, per enterprise', async () => {
    const simulator = await start();
    simulator.setDocuments(65, [{ documentId: 2, bytes: 12 }]);
    await (
      await downloadDocument(simulator, 65, 2, await tokenFor(simulator, OWNER))
    ).arrayBuffer();

    const listed = await control(`${simulator.url}/_simulator/downloads`, 'GET');

    expect(await listed.json()).toEqual({
      downloads: [
        {
          enterprise: 'default',
          packageId: 65,
          documentId: 2,
          scope: OWNER,
          bytes: 12,
          bytesSent: 12,
          end: 'complete',
          at: expect.any(Number),
        },
      ],
    });
  });
});
