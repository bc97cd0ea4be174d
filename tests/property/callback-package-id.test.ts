import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallbackInput,
  findPackageId,
  type PackageIdSearch,
} from '../../lib/callback/callback-package-id.ts';
import { anyIdText, anyIdValue, isCanonicalId, positiveSafeInteger } from './arbitraries.ts';

const expectWellFormed = (result: PackageIdSearch) => {
  if (result.ok) {
    expect(Number.isSafeInteger(result.packageId) && result.packageId > 0).toBe(true);
  } else {
    expect(result.reason.length).toBeGreaterThan(0);
  }
};

const search = (input: Partial<CallbackInput>) =>
  findPackageId({ query: {}, contentType: undefined, body: undefined, ...input });

const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/json',
    'application/problem+json',
    'application/xml',
    'text/xml; charset=iso-8859-1',
    'application/soap+xml',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/json\r\nX-Injected: 1',
    'application/json, application/xml',
    ';',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const xmlAround = (inner: string) =>
  fc
    .constantFrom(
      (id: string) => `<r><DocumentID>${id}</DocumentID></r>`,
      (id: string) =>
        `<?xml version="1.0"?><WorkflowCompletionReport><DocumentID>${id}</DocumentID></WorkflowCompletionReport>`,
      (id: string) =>
        `<sh:Report xmlns:sh="urn:x"><sh:DocumentID a="1">${id}</sh:DocumentID ></sh:Report>`,
      (id: string) => `<DocumentID>${id}</DocumentID><DocumentID>7</DocumentID>`,
    )
    .map((wrap) => wrap(inner));

const body = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  anyIdValue.map((id) => JSON.stringify({ package_id: id })),
  anyIdText.map((id) => `${new URLSearchParams({ package_id: id })}&user=a`),
  anyIdText.chain(xmlAround),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => `<${text}`),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => `{${text}`),
);

const query = fc.dictionary(
  fc.oneof(
    fc.constantFrom('package_id', 'document_id', 'PACKAGE_ID', 'token', 'user_email'),
    fc.string({ maxLength: 10 }),
  ),
  fc.option(anyIdText, { nil: undefined }),
  { maxKeys: 4 },
);

describe('findPackageId: any callback yields a valid package id or a reason, never an exception', () => {
  it('answers any query, content type and body', async () => {
    await fc.assert(
      fc.asyncProperty(
        query,
        contentType,
        fc.option(body, { nil: undefined }),
        async (q, type, text) => {
          expectWellFormed(await search({ query: q, contentType: type, body: text }));
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('findPackageId: each channel accepts exactly the canonical ids', () => {
  it.each(['package_id', 'document_id'])('reads the query %s', async (name) => {
    await fc.assert(
      fc.asyncProperty(anyIdText, async (text) => {
        const result = await search({ query: { [name]: text } });
        expect(result.ok).toBe(isCanonicalId(text));
        if (result.ok) expect(String(result.packageId)).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a JSON body whose package_id is a string', async () => {
    await fc.assert(
      fc.asyncProperty(anyIdText, async (text) => {
        const result = await search({
          contentType: 'application/json',
          body: JSON.stringify({ package_id: text }),
        });
        expect(result.ok).toBe(isCanonicalId(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a JSON body whose package_id is a number only when it is a positive safe integer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.double(), fc.integer(), positiveSafeInteger), async (value) => {
        const text = JSON.stringify({ package_id: value });
        const parsed = (JSON.parse(text) as { package_id: unknown }).package_id;
        const result = await search({ contentType: 'application/json', body: text });
        expect(result.ok).toBe(
          typeof parsed === 'number' && Number.isSafeInteger(parsed) && parsed > 0,
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a form body', async () => {
    await fc.assert(
      fc.asyncProperty(anyIdText, fc.boolean(), async (text, typed) => {
        const result = await search({
          contentType: typed ? 'application/x-www-form-urlencoded' : undefined,
          body: `user_email=a%40b.c&${new URLSearchParams({ package_id: text })}`,
        });
        expect(result.ok).toBe(isCanonicalId(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads the DocumentID of an XML report, white space around it allowed', async () => {
    const xmlText = anyIdText.filter((text) => !/[<>&]/.test(text));
    await fc.assert(
      fc.asyncProperty(xmlText, async (text) => {
        const result = await search({
          contentType: 'application/xml',
          body: `<WorkflowCompletionReport><DocumentID>${text}</DocumentID></WorkflowCompletionReport>`,
        });
        expect(result.ok).toBe(isCanonicalId(text.trim()));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses any XML with a DOCTYPE or an entity declaration, whatever the id', async () => {
    await fc.assert(
      fc.asyncProperty(
        positiveSafeInteger,
        fc.constantFrom(
          '<!DOCTYPE r>',
          '<!doctype r [<!ENTITY a "1">]>',
          '<!ENTITY % p SYSTEM "http://x/">',
        ),
        async (id, declaration) => {
          const result = await search({
            contentType: 'text/xml',
            body: `<?xml version="1.0"?>${declaration}<r><DocumentID>${id}</DocumentID></r>`,
          });
          expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('DOCTYPE') });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('findPackageId: only a real DocumentID element counts', () => {
  const hidingPlaces = fc.constantFrom(
    (id: number) => `<!-- <DocumentID>${id}</DocumentID> -->`,
    (id: number) => `<Note><![CDATA[<DocumentID>${id}</DocumentID>]]></Note>`,
    (id: number) => `<?decoy <DocumentID>${id}</DocumentID>?>`,
    (id: number) => `<Note text="<DocumentID>${id}</DocumentID>"/>`,
    (id: number) => `<Note text='</Note><DocumentID>${id}</DocumentID>'/>`,
  );

  it('reads the real DocumentID whatever decoys are written before and after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        positiveSafeInteger,
        fc.array(fc.tuple(hidingPlaces, positiveSafeInteger), { maxLength: 4 }),
        fc.array(fc.tuple(hidingPlaces, positiveSafeInteger), { maxLength: 4 }),
        async (id, before, after) => {
          const hide = (decoys: typeof before) =>
            decoys.map(([place, decoy]) => place(decoy)).join('');
          const result = await search({
            contentType: 'application/xml',
            body: `<WorkflowCompletionReport>${hide(before)}<DocumentID>${id}</DocumentID>${hide(after)}</WorkflowCompletionReport>`,
          });
          expect(result).toEqual({ ok: true, packageId: id });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('reads a DocumentID given as a CDATA section exactly as the same text given plainly', async () => {
    const cdataText = anyIdText.filter((text) => !text.includes(']]>'));
    await fc.assert(
      fc.asyncProperty(cdataText, async (text) => {
        const result = await search({
          contentType: 'application/xml',
          body: `<WorkflowCompletionReport><DocumentID><![CDATA[${text}]]></DocumentID></WorkflowCompletionReport>`,
        });
        expect(result.ok).toBe(isCanonicalId(text.trim()));
        if (result.ok) expect(String(result.packageId)).toBe(text.trim());
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('findPackageId: the query decides before any body', () => {
  it('answers a query package_id or document_id the same, whatever the body says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('package_id', 'document_id'),
        anyIdText,
        contentType,
        body,
        async (name, id, type, text) => {
          const alone = await search({ query: { [name]: id } });
          expect(await search({ query: { [name]: id }, contentType: type, body: text })).toEqual(
            alone,
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
