import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startCallbackStack } from '../support/callback-stack.ts';
import { type CallbackEventInput, callbackEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt } from '../support/table-items.ts';

const { stack, output } = await startForFile(() =>
  startCallbackStack({}, { autoCreatePackages: false }),
);
const nextPackageId = packageIds(70_000);
const newPackage = () => {
  const packageId = nextPackageId();
  stack.simulator.createPackage(packageId, ['alice@example.com']);
  stack.simulator.setWorkflowStatus(packageId, 'COMPLETED');
  return packageId;
};

const secret = TEST_CALLBACK_SECRET;
const MB = 1024 * 1024;

/** Calls the function and answers how long it took, what it said, and what it stored. */
const attack = async (input: CallbackEventInput) => {
  const event = callbackEvent({ secret, ...input });
  const callsBefore = stack.simulator.calls.length;
  const started = performance.now();
  const answer = await stack.call(event);
  return {
    answer,
    ms: performance.now() - started,
    calls: stack.simulator.calls.slice(callsBefore),
    rejected: await itemAt(
      stack.table,
      `REJECTED#callback-${event.requestContext.requestId}`,
      'REJECTED',
    ),
  };
};

const expectRefused = async (input: CallbackEventInput) => {
  const { answer, calls, rejected } = await attack(input);
  expect(answer.statusCode).toBe(400);
  expect(answer.body).toEqual({ message: expect.any(String) });
  expect(calls).toEqual([]);
  expect(rejected).toMatchObject({
    source: 'callback',
    reason: (answer.body as { message: string }).message,
  });
  return { answer, rejected };
};

const xml = (body: string): CallbackEventInput => ({
  method: 'POST',
  contentType: 'application/xml',
  body,
});
const json = (body: string): CallbackEventInput => ({
  method: 'POST',
  contentType: 'application/json',
  body,
});
const form = (body: string): CallbackEventInput => ({
  method: 'POST',
  contentType: 'application/x-www-form-urlencoded',
  body,
});

describe('callback: XML beyond entity bombs', () => {
  it.each([
    [
      'a parameter entity fetched from SigningHub',
      (url: string) =>
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % x SYSTEM "${url}/v3/packages/1/workflow"> %x;]><r><DocumentID>1</DocumentID></r>`,
    ],
    [
      'a lower-case doctype with an internal subset',
      () => '<!doctype r [<!entity a "12">]><r><DocumentID>&a;</DocumentID></r>',
    ],
    [
      'an entity declaration without a doctype',
      () => '<!ENTITY a SYSTEM "file:///etc/passwd"><r><DocumentID>&a;</DocumentID></r>',
    ],
    [
      'a DocumentID made of character references',
      () => '<r><DocumentID>&#49;&#50;</DocumentID></r>',
    ],
    [
      'DocumentID elements that disagree',
      () => '<r><DocumentID>12</DocumentID><DocumentID>13</DocumentID></r>',
    ],
    [
      'elements nested 65 deep',
      () => `${'<a>'.repeat(64)}<DocumentID>12</DocumentID>${'</a>'.repeat(64)}`,
    ],
    ['a truncated report', () => '<WorkflowCompletionReport><DocumentID>12</DocumentID>'],
  ])('refuses %s and fetches nothing', async (_, body) => {
    await expectRefused(xml(body(stack.simulator.url)));
  });

  it('reads a DocumentID in a CDATA section and fetches only its workflow', async () => {
    const packageId = newPackage();
    const { answer, calls } = await attack(
      xml(`<r><DocumentID><![CDATA[${packageId}]]></DocumentID></r>`),
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
    const fetched = calls.filter((call) => call.operation !== 'authenticate');
    expect(fetched.map((call) => call.path)).toEqual([`/v3/packages/${packageId}/workflow`]);
  });

  it.each<[string, (decoy: number) => string]>([
    ['a comment', (decoy) => `<!-- <DocumentID>${decoy}</DocumentID> -->`],
    [
      'the CDATA section of another element',
      (decoy) => `<Note><![CDATA[<DocumentID>${decoy}</DocumentID>]]></Note>`,
    ],
    ['a processing instruction', (decoy) => `<?decoy <DocumentID>${decoy}</DocumentID>?>`],
    ['an attribute value', (decoy) => `<Note text="<DocumentID>${decoy}</DocumentID>"/>`],
  ])('confirms the real DocumentID, not the one written in %s before it', async (_, hide) => {
    const decoy = newPackage();
    const packageId = newPackage();
    const { answer, calls } = await attack(
      xml(
        `<WorkflowCompletionReport>${hide(decoy)}<DocumentID>${packageId}</DocumentID></WorkflowCompletionReport>`,
      ),
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
    const fetched = calls.filter((call) => call.operation !== 'authenticate');
    expect(fetched.map((call) => call.packageId)).toEqual([packageId]);
  });

  it('reads only the DocumentID of a report with XInclude and a stylesheet, fetching neither', async () => {
    const packageId = newPackage();
    const url = stack.simulator.url;
    const { answer, calls } = await attack(
      xml(
        `<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="${url}/v3/packages/1/workflow"?>` +
          '<WorkflowCompletionReport xmlns:xi="http://www.w3.org/2001/XInclude">' +
          `<xi:include href="${url}/v3/packages/2/workflow" parse="text"/>` +
          `<DocumentID>${packageId}</DocumentID></WorkflowCompletionReport>`,
      ),
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
    const fetched = calls.filter((call) => call.operation !== 'authenticate');
    expect(fetched.map((call) => call.path)).toEqual([`/v3/packages/${packageId}/workflow`]);
  });
});

describe('callback: a 10 MB body', () => {
  const padding = 'A'.repeat(10 * MB);

  it.each<[string, (id: number) => CallbackEventInput]>([
    ['JSON', (id) => json(`{"document":"${padding}","package_id":${id}}`)],
    ['form-encoded', (id) => form(`document=${padding}&package_id=${id}`)],
    [
      'XML',
      (id) => xml(`<Report><Document>${padding}</Document><DocumentID>${id}</DocumentID></Report>`),
    ],
    [
      'base64 XML',
      (id) => ({
        ...xml(`<Report><Document>${padding}</Document><DocumentID>${id}</DocumentID></Report>`),
        base64: true,
      }),
    ],
  ])('finds the id at the end of a 10 MB %s body and confirms the package', async (_, input) => {
    const packageId = newPackage();
    const { answer, ms } = await attack(input(packageId));
    expect(answer).toMatchObject({ statusCode: 200, body: { packageId, status: 'COMPLETED' } });
    expect(ms).toBeLessThan(10_000);
  });

  it.each<[string, CallbackEventInput]>([
    ['JSON without an id', json(`{"document":"${padding}"}`)],
    ['an unterminated DocumentID tag', xml(`<r><DocumentID ${'a'.repeat(10 * MB)}`)],
    ['DocumentID tags that never close', xml('<DocumentID>1'.repeat(MB))],
    ['namespace prefixes without end', xml(`<${'a'.repeat(10 * MB)}`)],
    [
      'an XML report over 16 MiB',
      xml(
        `<Report><Document>${'A'.repeat(16 * MB)}</Document><DocumentID>12</DocumentID></Report>`,
      ),
    ],
    ['text without a type', { method: 'POST', body: padding }],
  ])('refuses %s in linear time and keeps 64 KiB of it', async (_, input) => {
    const started = performance.now();
    const { rejected } = await expectRefused(input);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(Buffer.byteLength(String(rejected?.raw))).toBeLessThanOrEqual(64 * 1024);
    expect(rejected?.rawTruncated).toBe(true);
  });
});

describe('callback: deeply nested bodies', () => {
  const depth = 200_000;
  it.each<[string, CallbackEventInput]>([
    ['JSON objects', json(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)],
    ['JSON objects left open', json('{"package_id":'.repeat(depth))],
    ['XML elements', xml(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`)],
    ['form keys', form('a[b]'.repeat(depth))],
  ])('refuses %s without crashing', async (_, input) => {
    await expectRefused(input);
  });
});

describe('callback: package ids that only look like numbers, in every channel', () => {
  const channels: [string, (value: string) => CallbackEventInput][] = [
    ['the query package_id', (value) => ({ query: { package_id: value } })],
    ['the query document_id', (value) => ({ query: { document_id: value } })],
    ['a JSON string', (value) => json(JSON.stringify({ package_id: value }))],
    ['a form body', (value) => form(new URLSearchParams({ package_id: value }).toString())],
    ['an XML DocumentID', (value) => xml(`<r><DocumentID>${value}</DocumentID></r>`)],
  ];
  const lookalikes = [
    '+12',
    '-12',
    '12e0',
    '1.2e1',
    '012',
    '١٢',
    '１２',
    '१२',
    '9007199254740993',
    '12.0',
    '0x0C',
    '1_2',
    '12/../../authenticate',
  ];

  for (const [channel, make] of channels) {
    it.each(lookalikes)(`refuses %j in ${channel}`, async (value) => {
      await expectRefused(make(value));
    });
  }

  it.each([
    ['2^53 + 1', '9007199254740993'],
    ['a negative number', '-12'],
    ['zero', '0'],
    ['a fraction', '12.5'],
    ['an overflowing exponent', '1e400'],
  ])('refuses a JSON number that is %s', async (_, literal) => {
    await expectRefused(json(`{"package_id": ${literal}}`));
  });
});

describe('callback: header and query injection', () => {
  it.each([
    'application/json\r\nX-Injected: yes',
    'application/json; charset=utf-7',
    'text/html; charset=utf-8',
    'application/json, application/xml',
    'multipart/form-data; boundary=--x',
    'application/xml\u0000',
  ])('answers a request typed %j with JSON and no header but its own', async (contentType) => {
    for (const body of [
      JSON.stringify({ package_id: newPackage() }),
      '<script>alert(1)</script>',
    ]) {
      const result = await stack.module.handler(
        callbackEvent({ secret, method: 'POST', contentType, body }),
        lambdaContext(20_000),
      );
      expect(result.statusCode).toBeLessThan(500);
      expect(Object.keys(result.headers ?? {})).toEqual(['content-type']);
      expect(result.headers?.['content-type']).toBe('application/json');
      expect(() => JSON.parse(String(result.body))).not.toThrow();
    }
  });

  it.each([
    ['a repeated package_id (API Gateway joins it with a comma)', { package_id: '12,13' }],
    ['a second parameter smuggled into the value', { package_id: '12&package_id=13' }],
    ['a bad package_id next to a good document_id', { package_id: 'x', document_id: '12' }],
    ['a value with a NUL', { package_id: '12\u0000' }],
  ])('refuses %s', async (_, query) => {
    await expectRefused({ query });
  });

  it('prefers the query package_id to anything the body says', async () => {
    const packageId = newPackage();
    const { answer, calls } = await attack({
      method: 'POST',
      query: { package_id: String(packageId) },
      ...json(JSON.stringify({ package_id: 13 })),
    });
    expect(answer.body).toEqual({ packageId, status: 'COMPLETED' });
    const fetched = calls.filter((call) => call.operation !== 'authenticate');
    expect(fetched.map((call) => call.packageId)).toEqual([packageId]);
  });

  it('keeps tokens, signatures and secrets from the query out of the rejected item', async () => {
    const query = {
      package_id: 'x',
      token: 'session-token-1',
      access_token: 'access-token-2',
      signature: 'signature-3',
      password: 'password-4',
      api_key: 'key-5',
      secret,
    };
    const { rejected } = await expectRefused({ query });
    const stored = JSON.stringify(rejected);
    for (const value of Object.values(query).slice(1)) expect(stored).not.toContain(value);
    expect(stored).toContain('package_id=x');
  });
});

describe('callback: the secret stays secret', () => {
  it.each([
    ['in upper case', secret.toUpperCase()],
    ['with a trailing slash', `${secret}/`],
    ['with a trailing space', `${secret} `],
    ['percent-encoded once more', encodeURIComponent(encodeURIComponent(`${secret}?`))],
    ['doubled', `${secret}${secret}`],
    ['cut by one character', secret.slice(0, -1)],
  ])('refuses the secret %s', async (_, given) => {
    const packageId = newPackage();
    const answer = await stack.call(
      callbackEvent({ secret: given, query: { package_id: String(packageId) } }),
    );
    expect(answer).toMatchObject({ statusCode: 401, body: { message: 'Unauthorized' } });
    expect(stack.simulator.count('workflow', packageId)).toBe(0);
  });

  it('refuses the secret given in the query instead of the path', async () => {
    const answer = await stack.call(
      callbackEvent({ secret: 'not-it', query: { package_id: '12', secret } }),
    );
    expect(answer.statusCode).toBe(401);
  });

  it('prints neither the secret nor anything from the query under a sensitive name', () => {
    const printed = output.text();
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain('session-token-1');
    expect(printed).not.toContain(secret.toUpperCase());
  });
});
