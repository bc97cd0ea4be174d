import { describe, expect, it } from 'vitest';
import { findPackageId } from '../../../lib/callback/callback-package-id.ts';

const search = (input: Partial<Parameters<typeof findPackageId>[0]>) =>
  findPackageId({ query: {}, contentType: undefined, body: undefined, ...input });

describe('findPackageId', () => {
  it('prefers the query, package_id over the legacy document_id', () => {
    expect(
      search({ query: { package_id: '7', document_id: '8' }, body: '{"package_id": 9}' }),
    ).toEqual({
      ok: true,
      packageId: 7,
      from: 'query package_id',
    });
    expect(search({ query: { document_id: '8' } })).toMatchObject({ ok: true, packageId: 8 });
  });

  it('reads bodies without a content type by their first character', () => {
    expect(search({ body: ' {"package_id":"12"}' })).toMatchObject({ ok: true, packageId: 12 });
    expect(search({ body: '<r><DocumentID>13</DocumentID></r>' })).toMatchObject({
      ok: true,
      packageId: 13,
    });
    expect(search({ body: 'package_id=14' })).toMatchObject({ ok: true, packageId: 14 });
  });

  it('reads a namespaced DocumentID with attributes and white space', () => {
    expect(
      search({
        contentType: 'application/xml',
        body: '<sh:Report xmlns:sh="urn:x"><sh:DocumentID type="package"> 15 </sh:DocumentID></sh:Report>',
      }),
    ).toMatchObject({ ok: true, packageId: 15 });
  });

  it('finds the id in a report carrying a 10 MB document', () => {
    const body = `<Report><Document>${'A'.repeat(10 * 1024 * 1024)}</Document><DocumentID>16</DocumentID></Report>`;
    expect(search({ contentType: 'application/xml', body })).toMatchObject({
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
  ])('refuses XML with %s', (_, body, reason) => {
    const result = search({ contentType: 'text/xml', body });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it.each([['+5'], ['5e2'], ['05'], ['0'], ['9007199254740993'], [' 5'], ['0x10']])(
    'refuses the query package id %j',
    (value) => {
      expect(search({ query: { package_id: value } }).ok).toBe(false);
    },
  );

  it('refuses deeply nested JSON without crashing', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(search({ contentType: 'application/json', body: deep }).ok).toBe(false);
  });

  it('refuses a body type it does not understand', () => {
    expect(search({ contentType: 'application/pdf', body: '%PDF-1.7' })).toMatchObject({
      ok: false,
    });
  });
});
