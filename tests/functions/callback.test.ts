import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startCallbackStack } from '../support/callback-stack.ts';
import { callbackEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt, scanAll } from '../support/table-items.ts';

const { stack, output } = await startForFile(() => startCallbackStack());
const nextPackageId = packageIds(5_000);
const newPackage = (workflowStatus?: string) => {
  const packageId = nextPackageId();
  stack.simulator.createPackage(packageId, ['alice@example.com']);
  if (workflowStatus) stack.simulator.setWorkflowStatus(packageId, workflowStatus);
  return packageId;
};

const secret = TEST_CALLBACK_SECRET;
const packageItem = (packageId: number) => itemAt(stack.table, `PACKAGE#${packageId}`, 'PACKAGE');
/** The item the callback keeps of a request it rejected. */
const rejectedItemOf = (event: APIGatewayProxyEventV2) =>
  itemAt(stack.table, `REJECTED#callback-${event.requestContext.requestId}`, 'REJECTED');
const workflowCalls = (packageId: number) =>
  stack.simulator.calls.filter((c) => c.operation === 'workflow' && c.packageId === packageId);

describe('callback: authentication by the secret in the path', () => {
  it.each([
    ['a wrong secret', 'not-the-secret-at-all'],
    ['a wrong secret of the same length', `${secret.slice(0, -1)}X`],
    ['no secret', undefined],
    ['an empty secret', ''],
  ])('answers 401 to %s, stores nothing and calls nothing', async (_, given) => {
    const packageId = newPackage('COMPLETED');
    const callsBefore = stack.simulator.calls.length;
    const itemsBefore = (await scanAll(stack.table)).length;

    const answer = await stack.call(
      callbackEvent({ secret: given, query: { package_id: String(packageId) } }),
    );

    expect(answer.statusCode).toBe(401);
    expect(stack.simulator.calls.length).toBe(callsBefore);
    expect((await scanAll(stack.table)).length).toBe(itemsBefore);
  });

  it('answers a HEAD probe with 200 and no body', async () => {
    const answer = await stack.call(callbackEvent({ method: 'HEAD', secret }));
    expect(answer).toEqual({ statusCode: 200, body: undefined, rawBody: undefined });
  });

  it('answers a HEAD probe with a bare 200: no content-type, no body', async () => {
    const result = await stack.module.handler(
      callbackEvent({ method: 'HEAD', secret }),
      lambdaContext(20_000),
    );
    expect(result).toEqual({ statusCode: 200 });
  });

  it('refuses a HEAD probe with the wrong secret', async () => {
    expect((await stack.call(callbackEvent({ method: 'HEAD', secret: 'wrong' }))).statusCode).toBe(
      401,
    );
  });
});

describe('callback: where the package id comes from', () => {
  const xmlReport = (id: string) =>
    `<?xml version="1.0" encoding="utf-8"?><WorkflowCompletionReport><DocumentID>${id}</DocumentID>` +
    `<DocumentName>contract.pdf</DocumentName><Document>${'QUJD'.repeat(1000)}</Document></WorkflowCompletionReport>`;

  it.each<[string, (id: number) => Parameters<typeof callbackEvent>[0]]>([
    ['query package_id', (id) => ({ query: { package_id: String(id) } })],
    [
      'legacy query document_id',
      (id) => ({
        query: { document_id: String(id), user_email: 'alice@example.com', language: 'en-US' },
      }),
    ],
    [
      'a JSON body with a number',
      (id) => ({
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ package_id: id }),
      }),
    ],
    [
      'a JSON webhook with a string',
      (id) => ({
        method: 'POST',
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ package_id: String(id), package_status: 'COMPLETED', document: [] }),
      }),
    ],
    [
      'a form-encoded body',
      (id) => ({
        method: 'POST',
        contentType: 'application/x-www-form-urlencoded',
        body: `package_id=${id}&user_email=alice%40example.com`,
      }),
    ],
    [
      'an XML workflow completion report',
      (id) => ({ method: 'POST', contentType: 'application/xml', body: xmlReport(String(id)) }),
    ],
    [
      'a base64-encoded XML report',
      (id) => ({
        method: 'POST',
        contentType: 'text/xml',
        body: xmlReport(String(id)),
        base64: true,
      }),
    ],
  ])('reads it from %s and confirms the package', async (_, input) => {
    const packageId = newPackage('COMPLETED');
    const answer = await stack.call(callbackEvent({ secret, ...input(packageId) }));
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
  });

  it.each<[string, Parameters<typeof callbackEvent>[0]]>([
    ['nothing at all', {}],
    ['a package id that is not a number', { query: { package_id: 'abc' } }],
    ['a negative package id', { query: { document_id: '-5' } }],
    ['an empty JSON object', { method: 'POST', contentType: 'application/json', body: '{}' }],
    ['broken JSON', { method: 'POST', contentType: 'application/json', body: '{"package_id":' }],
    [
      'XML without a DocumentID',
      { method: 'POST', contentType: 'application/xml', body: '<Report><Name>x</Name></Report>' },
    ],
  ])('answers 400 and keeps a rejected item for %s', async (_, input) => {
    const answer = await stack.call(callbackEvent({ secret, ...input }));
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toEqual({ message: expect.any(String) });
    const rejected = (await scanAll(stack.table)).filter(
      (item) =>
        item.sk === 'REJECTED' &&
        item.source === 'callback' &&
        item.reason === (answer.body as { message: string }).message,
    );
    expect(rejected.length).toBeGreaterThan(0);
  });

  it.each<[string, Parameters<typeof callbackEvent>[0]]>([
    ['GET', { method: 'GET', body: null }],
    ['POST', { method: 'POST', body: null }],
    ['base64-flagged POST', { method: 'POST', body: null, base64: true }],
  ])(
    'answers 400 and keeps a rejected item for a %s without an id whose body is null, as serverless-offline sends it',
    async (_, input) => {
      const event = callbackEvent({ secret, ...input });
      expect(event.body).toBeNull();

      const answer = await stack.call(event);

      expect(answer).toMatchObject({
        statusCode: 400,
        body: { message: expect.stringContaining('no package id') },
      });
      expect(await rejectedItemOf(event)).toMatchObject({
        source: 'callback',
        reason: (answer.body as { message: string }).message,
      });
    },
  );

  it('reads the body by the Content-Type header: a form sent as text/plain is not understood', async () => {
    const packageId = newPackage('COMPLETED');
    const answer = await stack.call(
      callbackEvent({
        method: 'POST',
        secret,
        contentType: 'text/plain; charset=utf-8',
        body: `package_id=${packageId}`,
      }),
    );
    expect(answer).toMatchObject({
      statusCode: 400,
      body: { message: 'a body of type text/plain is not understood' },
    });
  });

  it('reads the query id of a call whose body is null', async () => {
    const packageId = newPackage('COMPLETED');
    const answer = await stack.call(
      callbackEvent({ secret, query: { package_id: String(packageId) }, body: null }),
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
  });

  it('keeps the secret and any token out of a rejected item', async () => {
    await stack.call(
      callbackEvent({ secret, query: { document_id: 'x1', token: 'user-session-token-123' } }),
    );
    const stored = JSON.stringify(await scanAll(stack.table));
    expect(stored).toContain('document_id=x1');
    expect(stored).not.toContain('user-session-token-123');
    expect(stored).not.toContain(secret);
  });
});

describe('callback: confirmation with SigningHub', () => {
  it.each([
    ['COMPLETED', 'COMPLETED'],
    ['DECLINED', 'DECLINED'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['IN_PRGORESS', 'IN_PROGRESS'],
    ['SHARED', 'IN_PROGRESS'],
    ['DRAFT', 'IN_PROGRESS'],
    ['SOMETHING_NEW', 'IN_PROGRESS'],
  ])(
    'maps workflow_status %s to %s and records SigningHub word',
    async (workflowStatus, status) => {
      const packageId = newPackage(workflowStatus);
      const answer = await stack.call(
        callbackEvent({ secret, query: { package_id: String(packageId) } }),
      );
      expect(answer).toEqual({
        statusCode: 200,
        body: { packageId, status },
        rawBody: expect.any(String),
      });
      const item = await packageItem(packageId);
      expect(item).toMatchObject({ status, workflowStatus, callbacks: 1 });
      expect(item?.lastCallbackAt).toEqual(expect.any(String));
      if (status === 'IN_PROGRESS') expect(item?.completedAt).toBeUndefined();
      else expect(item?.completedAt).toEqual(expect.any(String));
    },
  );

  it('records DELETED when SigningHub answers 404', async () => {
    const packageId = newPackage();
    stack.simulator.deletePackage(packageId);
    const answer = await stack.call(
      callbackEvent({ secret, query: { package_id: String(packageId) } }),
    );
    expect(answer.body).toEqual({ packageId, status: 'DELETED' });
    expect(await packageItem(packageId)).toMatchObject({ status: 'DELETED' });
  });

  it('asks as the account itself, not as a signer', async () => {
    const packageId = newPackage('COMPLETED');
    await stack.call(
      callbackEvent({
        secret,
        query: { package_id: String(packageId), user_email: 'alice@example.com' },
      }),
    );
    expect(workflowCalls(packageId).map((c) => c.tokenScope)).toEqual(['']);
  });

  it("never takes the callback's word: a webhook saying COMPLETED stays IN_PROGRESS until SigningHub says so", async () => {
    const packageId = newPackage('IN_PROGRESS');
    const answer = await stack.call(
      callbackEvent({
        secret,
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ package_id: packageId, package_status: 'COMPLETED' }),
      }),
    );
    expect(answer.body).toEqual({ packageId, status: 'IN_PROGRESS' });
  });

  it('stores the callback and still answers 200 when SigningHub cannot be reached', async () => {
    const packageId = newPackage('COMPLETED');
    stack.simulator.script(packageId, 'workflow', { status: 503 }, { hang: true });
    for (let i = 0; i < 2; i += 1) {
      const answer = await stack.call(
        callbackEvent({ secret, query: { package_id: String(packageId) } }),
      );
      expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'IN_PROGRESS' } });
    }
    expect(await packageItem(packageId)).toMatchObject({ status: 'IN_PROGRESS', callbacks: 2 });
  });

  it('creates the package from a callback that comes before any finish', async () => {
    const packageId = newPackage('IN_PROGRESS');
    expect(await packageItem(packageId)).toBeUndefined();
    await stack.call(callbackEvent({ secret, query: { package_id: String(packageId) } }));
    expect(await packageItem(packageId)).toMatchObject({
      status: 'IN_PROGRESS',
      callbacks: 1,
      packageId,
    });
  });

  it('never overwrites a final status: DECLINED after COMPLETED leaves COMPLETED', async () => {
    const packageId = newPackage('COMPLETED');
    await stack.call(callbackEvent({ secret, query: { package_id: String(packageId) } }));
    stack.simulator.setWorkflowStatus(packageId, 'DECLINED');
    const answer = await stack.call(
      callbackEvent({ secret, query: { package_id: String(packageId) } }),
    );
    expect(answer.body).toEqual({ packageId, status: 'COMPLETED' });
    expect(await packageItem(packageId)).toMatchObject({
      status: 'COMPLETED',
      workflowStatus: 'COMPLETED',
      callbacks: 2,
    });
  });

  it('does not ask SigningHub again about a package already final', async () => {
    const packageId = newPackage('COMPLETED');
    await stack.call(callbackEvent({ secret, query: { package_id: String(packageId) } }));
    await stack.call(callbackEvent({ secret, query: { package_id: String(packageId) } }));
    expect(workflowCalls(packageId)).toHaveLength(1);
  });
});

describe('callback: hostile bodies', () => {
  it('refuses an entity expansion bomb quickly, expanding nothing', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      ']><WorkflowCompletionReport><DocumentID>&lol9;</DocumentID></WorkflowCompletionReport>';
    const answer = await stack.call(
      callbackEvent({ secret, method: 'POST', contentType: 'application/xml', body: bomb }),
    );
    expect(answer).toMatchObject({
      statusCode: 400,
      body: { message: expect.stringContaining('DOCTYPE') },
    });
  });

  it('refuses an external entity and fetches nothing', async () => {
    const callsBefore = stack.simulator.calls.length;
    const xxe =
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "${stack.simulator.url}/v3/packages/1/workflow">]>` +
      '<WorkflowCompletionReport><DocumentID>&x;</DocumentID></WorkflowCompletionReport>';
    const answer = await stack.call(
      callbackEvent({ secret, method: 'POST', contentType: 'application/xml', body: xxe }),
    );
    expect(answer.statusCode).toBe(400);
    expect(stack.simulator.calls.length).toBe(callsBefore);
  });
});

describe('callback: secrets', () => {
  it('never prints the callback secret; logs show a redacted path', () => {
    const printed = output.text();
    expect(printed).toContain('/signinghub/callback/<redacted>');
    expect(printed).not.toContain(secret);
  });
});
