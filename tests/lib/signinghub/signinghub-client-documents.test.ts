import { describe, expect, it } from 'vitest';
import {
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  UnauthorizedSigningHubError,
} from '../../../lib/signinghub/errors.ts';
import type { SigningHubClientOptions } from '../../../lib/signinghub/signinghub-client.ts';
import { rejection } from '../../support/rejection.ts';
import { clientOf, type FakeAnswer, fakeForThisFile } from '../../support/signinghub-fake.ts';

// A package's documents on the wire, against a fake SigningHub on a real socket.

const fake = fakeForThisFile();

const client = (options: Partial<SigningHubClientOptions> = {}) => clientOf(fake.baseUrl, options);

const OWNER = 'owner@example.com';
/** A token the fake hands out, to look for in errors. */
const SECRET_TOKEN = 'token-that-must-never-show-4f1d';

const workflowAnswer = (fields: Record<string, unknown>): FakeAnswer => ({
  status: 200,
  body: { package_id: 7, workflow: { workflow_status: 'COMPLETED' }, ...fields },
});

const document = (id: number, name: string, order: number) => ({
  document_id: id,
  document_name: name,
  document_order: order,
  document_type: 'PDF',
});

/** A stream's bytes, whole: fine for the small bodies of these tests. */
const bytesOf = async (stream: ReadableStream<Uint8Array>): Promise<Buffer> =>
  Buffer.from(await new Response(stream).arrayBuffer());

describe('getPackageDocuments', () => {
  it('reads the workflow details as the account, with the documents in their order and the owner', async () => {
    fake.answerApiCalls(
      workflowAnswer({
        package_owner: OWNER,
        documents: [document(31, 'b.pdf', 2), document(30, 'a.pdf', 1), document(32, 'c.pdf', 2)],
      }),
    );

    const details = await client().getPackageDocuments(7);

    expect(details).toEqual({
      packageId: 7,
      workflowStatus: 'COMPLETED',
      owner: OWNER,
      documents: [
        { documentId: 30, name: 'a.pdf', order: 1 },
        { documentId: 31, name: 'b.pdf', order: 2 },
        { documentId: 32, name: 'c.pdf', order: 2 },
      ],
    });
    const [call] = fake.apiCalls();
    expect(call).toMatchObject({ method: 'GET', path: '/v3/packages/7/workflow' });
    expect(call?.headers).toMatchObject({ accept: 'application/json', authorization: 'Bearer t' });
    expect(fake.forms().map((form) => form.scope)).toEqual([undefined]);
  });

  it.each([
    ['absent', {}],
    ['empty', { package_owner: '' }],
    ['blank', { package_owner: '  ' }],
    ['null', { package_owner: null }],
  ])('has no owner when package_owner is %s', async (_, owner) => {
    fake.answerApiCalls(workflowAnswer({ ...owner, documents: [] }));

    const details = await client().getPackageDocuments(7);

    expect(details).toEqual({ packageId: 7, workflowStatus: 'COMPLETED', documents: [] });
    expect(details && 'owner' in details).toBe(true);
  });

  it('answers undefined for a deleted package (404)', async () => {
    fake.answerApiCalls({ status: 404, body: { Message: 'Document not found' } });
    expect(await client().getPackageDocuments(7)).toBeUndefined();
  });

  const NO_ARRAY = 'the answer had no documents array';
  const FIRST_INVALID = 'documents[0] had no valid document_id, document_name and document_order';
  it.each([
    ['no workflow_status', { workflow: {} }, 'the answer had no workflow.workflow_status'],
    ['no documents array', {}, NO_ARRAY],
    ['documents that are not an array', { documents: { document_id: 1 } }, NO_ARRAY],
    ['an entry that is not an object', { documents: [7] }, FIRST_INVALID],
    [
      'a document_id that is a string',
      { documents: [{ ...document(1, 'a', 1), document_id: '1' }] },
      FIRST_INVALID,
    ],
    ['a document_id of 0', { documents: [document(0, 'a', 1)] }, FIRST_INVALID],
    ['a fractional document_id', { documents: [document(1.5, 'a', 1)] }, FIRST_INVALID],
    ['no document_name', { documents: [{ document_id: 1, document_order: 1 }] }, FIRST_INVALID],
    ['no document_order', { documents: [{ document_id: 1, document_name: 'a' }] }, FIRST_INVALID],
    ['a fractional document_order', { documents: [document(1, 'a', 1.5)] }, FIRST_INVALID],
    [
      'a document listed twice',
      { documents: [document(1, 'a', 1), document(1, 'b', 2)] },
      'documents[1] listed document 1 again',
    ],
    [
      'a package_owner that is a number',
      { package_owner: 5, documents: [] },
      'the answer’s package_owner was not a string',
    ],
  ])('takes an answer with %s for a transient failure, saying so', async (_, fields, message) => {
    fake.answerApiCalls(workflowAnswer(fields));

    const error = await rejection(client().getPackageDocuments(7));

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: 200, signingHubMessage: message });
  });

  it('names the entry that is wrong', async () => {
    fake.answerApiCalls(workflowAnswer({ documents: [document(1, 'a', 1), { document_id: 2 }] }));
    expect((await rejection(client().getPackageDocuments(7))).message).toBe(
      'SigningHub workflow failed (HTTP 200): documents[1] had no valid document_id, document_name and document_order',
    );
  });

  it('leaves getWorkflow as it was: the status is all it needs', async () => {
    fake.answerApiCalls(workflowAnswer({ documents: 'not read' }));
    expect(await client().getWorkflow(7)).toEqual({ packageId: 7, workflowStatus: 'COMPLETED' });
  });
});

describe('downloadDocument', () => {
  it('asks for the octet stream as the owner and streams the body', async () => {
    fake.answerApiCalls({ status: 200, body: '%PDF-1.7\nsigned' });

    const body = await client().downloadDocument(7, 30, { scope: OWNER });

    expect((await bytesOf(body)).toString()).toBe('%PDF-1.7\nsigned');
    const [call] = fake.apiCalls();
    expect(call).toMatchObject({ method: 'GET', path: '/v3/packages/7/documents/30' });
    expect(call?.headers).toMatchObject({
      accept: 'application/octet-stream',
      authorization: 'Bearer t',
    });
    expect(call?.headers['content-type']).toBeUndefined();
    expect(fake.forms().map((form) => form.scope)).toEqual([OWNER]);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('uses the account’s own token when the scope is %s', async (_, scope) => {
    fake.answerApiCalls({ status: 200, body: 'x' });
    await bytesOf(await client().downloadDocument(7, 30, { scope }));
    expect(fake.forms().map((form) => form.scope)).toEqual([undefined]);
  });

  it('takes a fresh token once after a 401, and gives up after a second', async () => {
    fake.answerApiCalls(
      { status: 401, body: { Message: 'expired' } },
      { status: 200, body: 'x' },
      { status: 401, body: { Message: 'expired' } },
      { status: 401, body: { Message: 'expired' } },
    );
    const sh = client();

    expect((await bytesOf(await sh.downloadDocument(7, 30, { scope: OWNER }))).toString()).toBe(
      'x',
    );
    const error = await rejection(sh.downloadDocument(7, 30, { scope: OWNER }));

    expect(error).toBeInstanceOf(UnauthorizedSigningHubError);
    expect(fake.apiCalls()).toHaveLength(4);
    expect(fake.forms()).toHaveLength(3);
  });

  it.each([
    [403, 'Document does not belong to user'],
    [404, 'Document not found'],
    [400, 'Bad request'],
  ])('takes a %i for final, with SigningHub’s message', async (status, message) => {
    fake.answerApiCalls({ status, body: { Error: 'Forbidden', Message: message } });

    const error = await rejection(client().downloadDocument(7, 30, { scope: OWNER }));

    expect(error).toBeInstanceOf(FinalSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, signingHubMessage: message });
    expect(error.message).toBe(`SigningHub document failed (HTTP ${status}): ${message}`);
  });

  it.each([429, 500, 503])('takes a %i for transient, with its Retry-After', async (status) => {
    fake.answerApiCalls({ status, body: { Message: 'busy' }, headers: { 'retry-after': '7' } });

    const error = await rejection(client().downloadDocument(7, 30));

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, retryAfterMs: 7_000 });
  });

  it('never puts the token in an error', async () => {
    const token = { status: 200, body: { access_token: SECRET_TOKEN, expires_in: 600 } };
    fake.answerAuthentications(token);
    fake.answerApiCalls(
      { status: 403, body: { Message: 'Document does not belong to user' } },
      { status: 200, body: 'abc', lastByteAfterMs: 60_000 },
    );
    const sh = client({ timeoutMs: 300 });

    const refused = await rejection(sh.downloadDocument(7, 30, { scope: OWNER }));
    const body = (await sh.downloadDocument(7, 30, { scope: OWNER })).getReader();
    await body.read();
    const stalled = await rejection(body.read());

    expect(fake.apiCalls()[0]?.headers.authorization).toBe(`Bearer ${SECRET_TOKEN}`);
    for (const error of [refused, stalled]) {
      const text = `${error.message} ${JSON.stringify(error)} ${String(error.cause)}`;
      expect(text).not.toContain(SECRET_TOKEN);
    }
  });
});

describe('downloadDocument’s time', () => {
  it('bounds the wait for the answer by the timeout', async () => {
    // An answer a minute late: as good as none within a test.
    fake.answerApiCalls({ status: 200, body: 'x', headersAfterMs: 60_000 });

    const error = await rejection(client({ timeoutMs: 300 }).downloadDocument(7, 30));

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toBe('SigningHub document failed: no answer within 300 ms');
  });

  it('errors the body that stalls for the timeout, naming the stall', async () => {
    fake.answerApiCalls({ status: 200, body: '%PDF-1.7\n', lastByteAfterMs: 60_000 });
    const reader = (await client({ timeoutMs: 300 }).downloadDocument(7, 30)).getReader();

    expect((await reader.read()).value?.byteLength).toBe(8);
    const error = await rejection(reader.read());

    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error.message).toBe(
      'SigningHub document failed: the document’s body stalled: no bytes for 300 ms',
    );
  });

  it('reads a body whose transfer outlasts the timeout while no gap reaches it', async () => {
    // The body's last byte 2.8 s after the rest, its reader busy for 1.6 s of that: the transfer
    // takes 1.4 timeouts, and the client waits 0.6 of one for that byte.
    fake.answerApiCalls({ status: 200, body: '%PDF-1.7\nsigned', lastByteAfterMs: 2_800 });
    const reader = (await client({ timeoutMs: 2_000 }).downloadDocument(7, 30)).getReader();
    const first = await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const last = await reader.read();

    expect(Buffer.from(first.value ?? []).toString()).toBe('%PDF-1.7\nsigne');
    expect(Buffer.from(last.value ?? []).toString()).toBe('d');
    expect((await reader.read()).done).toBe(true);
  });

  it('cancels the body when the caller’s signal fires, and sends nothing once it has', async () => {
    fake.answerApiCalls({ status: 200, body: '%PDF-1.7\n', lastByteAfterMs: 60_000 });
    const caller = new AbortController();
    const sh = client();
    const reader = (await sh.downloadDocument(7, 30, { signal: caller.signal })).getReader();
    await reader.read();
    const aborted = rejection(reader.read());
    caller.abort();

    expect(await aborted).toBeInstanceOf(SigningHubAbortedError);
    expect(await rejection(sh.downloadDocument(7, 31, { signal: caller.signal }))).toBeInstanceOf(
      SigningHubAbortedError,
    );
    expect(fake.apiCalls()).toHaveLength(1);
  });
});
