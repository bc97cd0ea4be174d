import { describe, expect, it } from 'vitest';
import { findPackageId } from '../../../lib/callback/callback-package-id.ts';

const search = (input: Partial<Parameters<typeof findPackageId>[0]>) =>
  findPackageId({ query: {}, contentType: undefined, body: undefined, ...input });

describe('findPackageId', () => {
  it('prefers the query, package_id over the legacy document_id', async () => {
    expect(
      await search({ query: { package_id: '7', document_id: '8' }, body: '{"package_id": 9}' }),
    ).toEqual({ ok: true, packageId: 7 });
    expect(await search({ query: { document_id: '8' } })).toMatchObject({ ok: true, packageId: 8 });
  });

  it('reads bodies without a content type by their first character', async () => {
    expect(await search({ body: ' {"package_id":"12"}' })).toMatchObject({
      ok: true,
      packageId: 12,
    });
    expect(await search({ body: '<r><DocumentID>13</DocumentID></r>' })).toMatchObject({
      ok: true,
      packageId: 13,
    });
    expect(await search({ body: 'package_id=14' })).toMatchObject({ ok: true, packageId: 14 });
  });

  it('reads a namespaced DocumentID with attributes and white space', async () => {
    expect(
      await search({
        contentType: 'application/xml',
        body: '<sh:Report xmlns:sh="urn:x"><sh:DocumentID type="package"> 15 </sh:DocumentID></sh:Report>',
      }),
    ).toMatchObject({ ok: true, packageId: 15 });
  });

  it('finds the id in a report carrying a 10 MB document', async () => {
    const body = `<Report><Document>${'A'.repeat(10 * 1024 * 1024)}</Document><DocumentID>16</DocumentID></Report>`;
    expect(await search({ contentType: 'application/xml', body })).toMatchObject({
      ok: true,
      packageId: 16,
    });
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE r [<!ENTITY a "1">]><r><DocumentID>&a;</DocumentID></r>', 'DOCTYPE'],
    [
      'an entity reference as the id',
      '<r><DocumentID>&amp;</DocumentID></r>',
      'not a positive integer',
    ],
    ['unicode digits', '<r><DocumentID>١٢</DocumentID></r>', 'not a positive integer'],
  ])('refuses XML with %s', async (_, body, reason) => {
    const result = await search({ contentType: 'text/xml', body });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it.each([['+5'], ['5e2'], ['05'], ['0'], ['9007199254740993'], [' 5'], ['0x10']])(
    'refuses the query package id %j',
    async (value) => {
      expect((await search({ query: { package_id: value } })).ok).toBe(false);
    },
  );

  it('refuses deeply nested JSON without crashing', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect((await search({ contentType: 'application/json', body: deep })).ok).toBe(false);
  });

  it('refuses a body type it does not understand', async () => {
    expect(await search({ contentType: 'application/pdf', body: '%PDF-1.7' })).toMatchObject({
      ok: false,
    });
  });
});

const MIB = 1024 * 1024;
const report = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><WorkflowCompletionReport>${inner}</WorkflowCompletionReport>`;
const xmlSearch = (body: string) => search({ contentType: 'application/xml', body });
const refusal = (result: Awaited<ReturnType<typeof search>>) => (result.ok ? '' : result.reason);

describe('findPackageId: which channel wins when they disagree', () => {
  const bodies: [string, string | undefined, string][] = [
    ['a JSON body', 'application/json', '{"package_id": 9}'],
    ['a form body', 'application/x-www-form-urlencoded', 'package_id=9&document_id=9'],
    ['an XML report', 'application/xml', report('<DocumentID>9</DocumentID>')],
    ['an untyped body', undefined, 'package_id=9'],
  ];

  it.each(bodies)(
    "the query's package_id wins over %s that names another package",
    async (_, type, body) => {
      expect(await search({ query: { package_id: '7' }, contentType: type, body })).toEqual({
        ok: true,
        packageId: 7,
      });
    },
  );

  it.each(bodies)(
    'document_id in the query wins over %s that names another package',
    async (_, type, body) => {
      expect(await search({ query: { document_id: '8' }, contentType: type, body })).toEqual({
        ok: true,
        packageId: 8,
      });
    },
  );

  it.each(bodies)('a bad query id is refused, not passed over for %s', async (_, type, body) => {
    expect(await search({ query: { document_id: 'x' }, contentType: type, body })).toEqual({
      ok: false,
      reason: 'query document_id is not a positive integer',
    });
  });

  it("a form body's package_id wins over its document_id, wherever each stands", async () => {
    expect(await search({ body: 'document_id=8&package_id=9' })).toEqual({
      ok: true,
      packageId: 9,
    });
    expect(await search({ body: 'document_id=8' })).toEqual({ ok: true, packageId: 8 });
  });

  it('a JSON body is read for package_id only', async () => {
    expect(
      await search({ contentType: 'application/json', body: '{"document_id": 8}' }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no package id'),
    });
  });

  it('the Content-Type picks one format and the others are not tried', async () => {
    expect(await search({ contentType: 'application/json', body: 'package_id=9' })).toMatchObject({
      ok: false,
      reason: 'the JSON body is not valid JSON',
    });
    const xml = await search({ contentType: 'application/xml', body: '{"package_id": 9}' });
    expect(xml.ok).toBe(false);
    const form = await search({
      contentType: 'application/x-www-form-urlencoded',
      body: '{"package_id": 9}',
    });
    expect(form.ok).toBe(false);
  });
});

describe('findPackageId: the DocumentID of an XML report is a real element', () => {
  it.each([
    ['a comment', '<!-- <DocumentID>5</DocumentID> -->'],
    ['the CDATA section of another element', '<Note><![CDATA[<DocumentID>5</DocumentID>]]></Note>'],
    ['a processing instruction', '<?decoy <DocumentID>5</DocumentID>?>'],
    ['an attribute value', '<Note text="<DocumentID>5</DocumentID>"/>'],
    ['the Document it carries', '<Document><DocumentID>5</DocumentID></Document>'],
  ])('takes the DocumentID element, not one written in %s before it', async (_, decoy) => {
    expect(await xmlSearch(report(`${decoy}<DocumentID>7</DocumentID>`))).toEqual({
      ok: true,
      packageId: 7,
    });
  });

  it('takes no DocumentID from a processing instruction before the root element', async () => {
    expect(
      await xmlSearch(
        '<?xml version="1.0"?><?decoy <DocumentID>5</DocumentID>?>' +
          '<WorkflowCompletionReport><DocumentName>x</DocumentName></WorkflowCompletionReport>',
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('no package id') });
  });

  it('reads a DocumentID given as a CDATA section', async () => {
    expect(await xmlSearch(report('<DocumentID><![CDATA[123]]></DocumentID>'))).toEqual({
      ok: true,
      packageId: 123,
    });
    expect(await xmlSearch(report('<DocumentID> <![CDATA[ 124 ]]> </DocumentID>'))).toEqual({
      ok: true,
      packageId: 124,
    });
  });

  it('reads DocumentID elements that agree, wherever they stand', async () => {
    expect(
      await xmlSearch(
        report('<Header><DocumentID>7</DocumentID></Header><DocumentID> 7 </DocumentID>'),
      ),
    ).toEqual({ ok: true, packageId: 7 });
  });

  it('refuses DocumentID elements that disagree', async () => {
    expect(
      refusal(
        await xmlSearch(report('<DocumentID>7</DocumentID><Log><DocumentID>8</DocumentID></Log>')),
      ),
    ).toBe('the XML report has DocumentID elements that disagree');
    expect(refusal(await xmlSearch(report('<DocumentID/><DocumentID>7</DocumentID>')))).toContain(
      'disagree',
    );
  });

  it.each([
    ['a missing end tag', '<r><DocumentID>12</DocumentID>'],
    ['a mismatched end tag', '<r><DocumentID>12</Other></r>'],
    ['two root elements', '<DocumentID>12</DocumentID><DocumentID>12</DocumentID>'],
    ['an unclosed comment', '<r><DocumentID>12</DocumentID><!-- </r>'],
    ['text after the root element', '<r><DocumentID>12</DocumentID></r>12'],
  ])('refuses XML that is not well-formed: %s', async (_, body) => {
    expect(refusal(await xmlSearch(body))).toContain('not well-formed');
  });

  it.each([
    ['an element declaration', '<r><!ELEMENT r ANY><DocumentID>12</DocumentID></r>'],
    ['a CDATA look-alike', '<r><DocumentID><![NOTCDATA[12]]></DocumentID></r>'],
  ])('refuses XML with %s as it refuses a DOCTYPE', async (_, body) => {
    expect(refusal(await xmlSearch(body))).toContain('DOCTYPE');
  });

  it('reads a DocumentID nested 64 elements deep and refuses one nested 65 deep', async () => {
    const nested = (depth: number) =>
      `${'<a>'.repeat(depth - 1)}<DocumentID>9</DocumentID>${'</a>'.repeat(depth - 1)}`;
    expect(await xmlSearch(nested(64))).toEqual({ ok: true, packageId: 9 });
    expect(refusal(await xmlSearch(nested(65)))).toBe(
      'XML nested deeper than 64 elements is not accepted',
    );
  });

  it('refuses an XML body over 16 MiB before parsing it', async () => {
    const body = report(`<Document>${'A'.repeat(16 * MIB)}</Document><DocumentID>16</DocumentID>`);
    expect(refusal(await xmlSearch(body))).toBe('an XML body over 16 MiB is not accepted');
    // Not well-formed as well: parsed first, it would be refused for that instead.
    const unclosed = report(`<Document>${'A'.repeat(16 * MIB)}`);
    expect(refusal(await xmlSearch(unclosed))).toBe('an XML body over 16 MiB is not accepted');
  });

  it('reads the id at the end of a 10 MB report', async () => {
    const body = report(
      `<Document>${'QUJD'.repeat(2.5 * MIB)}</Document><DocumentID>16</DocumentID>`,
    );
    expect(await xmlSearch(body)).toEqual({ ok: true, packageId: 16 });
  });
});

describe('findPackageId: which reason it gives, and where each format begins', () => {
  const NO_ID =
    'no package id: expected package_id or document_id in the query, package_id in a JSON or ' +
    'form body, or <DocumentID> in an XML workflow completion report';

  it.each([
    [{ query: { package_id: 'x' } }, 'query package_id is not a positive integer'],
    [{ query: { document_id: '0' } }, 'query document_id is not a positive integer'],
    [{ body: '{"package_id":"x"}' }, 'body package_id is not a positive integer'],
    [{ body: 'package_id=-1' }, 'body package_id is not a positive integer'],
    [{ body: 'document_id=abc' }, 'body package_id is not a positive integer'],
    [{ body: '<r><DocumentID>x</DocumentID></r>' }, 'XML DocumentID is not a positive integer'],
    [{ body: '   ' }, NO_ID],
    [{ body: '{"other":1}' }, NO_ID],
    [{ body: 'other=1' }, NO_ID],
    [{ body: '<r><Other>1</Other></r>' }, NO_ID],
    [{ body: '[1]' }, 'the JSON body is not an object'],
    [
      { contentType: 'text/plain', body: 'package_id=1' },
      'a body of type text/plain is not understood',
    ],
  ])('%j: %s', async (input, reason) => {
    expect(await search(input)).toEqual({ ok: false, reason });
  });

  it('reads the format from Content-Type when there is one, whatever the body begins with', async () => {
    expect(
      await search({ contentType: 'application/json; charset=utf-8', body: 'package_id=3' }),
    ).toEqual({ ok: false, reason: 'the JSON body is not valid JSON' });
    expect(
      await search({ contentType: 'Application/Problem+JSON', body: '{"package_id":4}' }),
    ).toEqual({
      ok: true,
      packageId: 4,
    });
    expect(await search({ contentType: 'text/xml', body: 'package_id=5' })).toMatchObject({
      ok: false,
    });
    expect(
      await search({ contentType: 'application/x-www-form-urlencoded', body: '{"package_id":6}' }),
    ).toEqual(expect.objectContaining({ ok: false }));
    expect(
      await search({ contentType: 'application/x-www-form-urlencoded', body: 'document_id=7' }),
    ).toEqual({ ok: true, packageId: 7 });
  });
});
