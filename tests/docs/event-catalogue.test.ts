import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_DIR, readCatalogue } from '../../harness/event-catalogue.ts';
import { EVENT_TYPES_FILE, generateEventTypes } from '../../harness/event-catalogue-types.ts';
import { eventCatalogue } from '../support/event-catalogue.ts';

/** Every event the stack sends, as the contract names them. */
const DETAIL_TYPES = [
  'SigningPackageCompleted',
  'SigningPackageDeclined',
  'SigningPackageDeleted',
  'SigningPackageArchived',
  'SigningPackageArchiveFailed',
] as const;
type DetailType = (typeof DETAIL_TYPES)[number];

type Json = Record<string, unknown>;

const docsFile = (name: string): string => readFileSync(`${CATALOGUE_DIR}${name}`, 'utf8');
const example = (detailType: DetailType): Json =>
  JSON.parse(docsFile(`${detailType}.example.json`)) as Json;

type Key = string | number;
/** Removes the value at a path, instead of setting it. */
const REMOVE = Symbol('remove');

/** The example of `detailType` with the value at `path` (from the event down) set, or removed. */
const withValue = (detailType: DetailType, path: readonly Key[], value: unknown): Json => {
  const event = structuredClone(example(detailType));
  const parent = path.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, event);
  const last = String(path.at(-1));
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return event;
};

const pointer = (path: readonly Key[]): string =>
  path.length === 0 ? 'the event' : `/${path.join('/')}`;

/**
 * The example with one value changed (set, added or removed) is refused by the rule that guards
 * that value alone: every message is about it (about its object, for a property removed, or added
 * where none may be), and one says `what` (for a property removed: that it is required).
 */
const expectRefused = (
  detailType: DetailType,
  path: readonly Key[],
  value: unknown,
  what: string,
  schema?: DetailType,
) => {
  const violations = eventCatalogue().violations(withValue(detailType, path, value), schema);
  const aboutItsObject = value === REMOVE || what.includes('additional properties');
  const where = pointer(aboutItsObject ? path.slice(0, -1) : path);
  const expected = value === REMOVE ? `must have required property '${path.at(-1)}'` : what;
  const told = violations.join('\n');
  expect(
    violations.some((violation) => violation.includes(expected)),
    told,
  ).toBe(true);
  expect(
    violations.every((violation) => violation.startsWith(`${where} `)),
    told,
  ).toBe(true);
};

const { events: schemas } = readCatalogue();
const matches = (event: Json) => expect(eventCatalogue().violations(event)).toEqual([]);

describe('the event catalogue (docs/events/)', () => {
  it('has a schema for every event the stack sends, and for no other', () => {
    expect([...schemas.keys()].sort()).toEqual([...DETAIL_TYPES].sort());
    expect(eventCatalogue().detailTypes.toSorted()).toEqual([...DETAIL_TYPES].sort());
  });

  it.each(DETAIL_TYPES)(
    '%s: a draft 2020-12 schema with its $id, title and description',
    (type) => {
      const schema = schemas.get(type) ?? {};
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toMatch(new RegExp(`^https://[^/]+/events/${type}\\.schema\\.json$`));
      expect(schema.title).toBe(`${type} event`);
      expect(String(schema.description)).toContain(`detail-type ${type}`);
    },
  );

  it.each(DETAIL_TYPES)('%s: its example matches it', (type) => {
    expect(example(type)['detail-type']).toBe(type);
    matches(example(type));
  });

  it.each(DETAIL_TYPES)('%s: pins its source and its detail-type', (type) => {
    const source = 'must be equal to constant ("signinghub.finish")';
    expectRefused(type, ['source'], 'signinghub.finish.operator', source);
    const renamed = 'SigningPackageRenamed';
    expectRefused(type, ['detail-type'], renamed, `must be equal to constant ("${type}")`, type);
  });

  it('refuses a detail-type it has no schema for', () => {
    const renamed = withValue('SigningPackageCompleted', ['detail-type'], 'SigningPackageRenamed');
    expect(eventCatalogue().violations(renamed)).toEqual([
      'no schema in docs/events/ for detail-type "SigningPackageRenamed"',
    ]);
  });
});

const ENVELOPE = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region'] as const;

describe('the envelope, as EventBridge delivers an event to a rule target', () => {
  it.each(
    DETAIL_TYPES.flatMap((type) =>
      [...ENVELOPE, 'resources', 'detail'].map((field) => [type, field] as const),
    ),
  )('%s: requires %s', (type, field) => {
    expectRefused(type, [field], REMOVE, '', type);
  });

  it.each<[string, Key[], unknown, string]>([
    ['a version that is no string', ['version'], 0, 'must be string'],
    ['an empty id', ['id'], '', 'must NOT have fewer than 1 characters'],
    ['an account of 11 digits', ['account'], '12345678901', 'must match pattern'],
    ['a time that is not RFC 3339', ['time'], '2026-11-27 10:00:05', 'must match pattern'],
    ['a time in a 13th month', ['time'], '2026-13-27T10:00:05Z', 'must match format'],
    ['a region that is no region', ['region'], 'Ireland', 'must match pattern'],
    ['resources that are no list', ['resources'], 'arn:aws:s3:::x', 'must be array'],
    ['a resource that is no string', ['resources', 0], 7, 'must be string'],
  ])('refuses %s', (_, path, value, what) => {
    expectRefused('SigningPackageCompleted', path, value, what);
  });
});

const COMPLETION_STATUS = {
  SigningPackageCompleted: 'COMPLETED',
  SigningPackageDeclined: 'DECLINED',
  SigningPackageDeleted: 'DELETED',
} as const;

describe("every event's detail", () => {
  it.each(DETAIL_TYPES.flatMap((type) => ['packageId', 'at'].map((field) => [type, field])))(
    '%s: requires %s',
    (type, field) => {
      expectRefused(type as DetailType, ['detail', field], REMOVE, '');
    },
  );

  it.each(DETAIL_TYPES)('%s: refuses a package id that is no positive integer', (type) => {
    expectRefused(type, ['detail', 'packageId'], 0, 'must be >= 1');
    expectRefused(type, ['detail', 'packageId'], -3, 'must be >= 1');
    expectRefused(type, ['detail', 'packageId'], 1001.5, 'must be integer');
    expectRefused(type, ['detail', 'packageId'], '1001', 'must be integer');
  });

  it.each(DETAIL_TYPES)('%s: leaves the tenant optional, and refuses a malformed one', (type) => {
    matches(withValue(type, ['detail', 'tenant'], REMOVE));
    matches(withValue(type, ['detail', 'tenant'], 'acme-2'));
    for (const bad of ['Acme', '-acme', 'acme-', 'a'.repeat(41), '', 'acme/x']) {
      expectRefused(type, ['detail', 'tenant'], bad, 'must match pattern');
    }
    // The default tenant's package has no tenant in its event, never "default".
    expectRefused(type, ['detail', 'tenant'], 'default', 'must NOT be valid');
  });

  it.each(DETAIL_TYPES)(
    '%s: refuses an `at` that is no date-time, and a field of its own',
    (type) => {
      for (const at of ['', 'yesterday', '2026-11-27', '2026-11-27T10:00:04']) {
        expectRefused(type, ['detail', 'at'], at, 'must match pattern');
      }
      expectRefused(type, ['detail', 'at'], 1_764_237_604_000, 'must be string');
      expectRefused(type, ['detail', 'at'], '2026-11-27T25:00:04Z', 'must match format');
      const extra = 'must NOT have additional properties ("statusCode")';
      expectRefused(type, ['detail', 'statusCode'], 200, extra);
    },
  );

  it.each(Object.entries(COMPLETION_STATUS))(
    '%s: requires its status, and only %s',
    (type, status) => {
      const completion = type as DetailType;
      expectRefused(completion, ['detail', 'status'], REMOVE, '');
      for (const other of ['IN_PROGRESS', ...Object.values(COMPLETION_STATUS)]) {
        if (other === status) continue;
        const what = `must be equal to constant ("${status}")`;
        expectRefused(completion, ['detail', 'status'], other, what);
      }
    },
  );
});

const DOCUMENT = ['detail', 'documents', 0];
const ERROR = ['detail', 'error'];

describe('the archive events', () => {
  it.each<[string, Key[], unknown, string]>([
    ['no bucket', ['detail', 'bucket'], REMOVE, ''],
    ['a bucket name S3 refuses', ['detail', 'bucket'], 'My_Bucket', 'must match pattern'],
    ['a bucket name too short', ['detail', 'bucket'], 'ab', 'must match pattern'],
    ['no documents', ['detail', 'documents'], REMOVE, ''],
    ['documents that are no list', ['detail', 'documents'], {}, 'must be array'],
    ...['documentId', 'name', 'key', 'bytes', 'sha256'].map(
      (field): [string, Key[], unknown, string] => [
        `a document without ${field}`,
        [...DOCUMENT, field],
        REMOVE,
        '',
      ],
    ),
    [
      'a document with a field of its own',
      [...DOCUMENT, 'url'],
      'https://x',
      'must NOT have additional properties ("url")',
    ],
    ['a document id 0', [...DOCUMENT, 'documentId'], 0, 'must be >= 1'],
    ['a document id that is a string', [...DOCUMENT, 'documentId'], '2101', 'must be integer'],
    ['a name that is no string', [...DOCUMENT, 'name'], 7, 'must be string'],
    ['a key not ending .pdf', [...DOCUMENT, 'key'], 'acme/1001/2101.txt', 'must match pattern'],
    ['a key without the tenant', [...DOCUMENT, 'key'], '1001/2101.pdf', 'must match pattern'],
    [
      'a key with a malformed tenant',
      [...DOCUMENT, 'key'],
      'Acme/1001/2101.pdf',
      'must match pattern',
    ],
    ['a key with the name', [...DOCUMENT, 'key'], 'acme/1001/Contract.pdf', 'must match pattern'],
    [
      'a key with a folder more',
      [...DOCUMENT, 'key'],
      'acme/x/1001/2101.pdf',
      'must match pattern',
    ],
    ['a key with package 0', [...DOCUMENT, 'key'], 'acme/0/2101.pdf', 'must match pattern'],
    ['negative bytes', [...DOCUMENT, 'bytes'], -1, 'must be >= 0'],
    ['fractional bytes', [...DOCUMENT, 'bytes'], 1.5, 'must be integer'],
    ['an upper-case sha256', [...DOCUMENT, 'sha256'], 'A'.repeat(64), 'must match pattern'],
    ['a short sha256', [...DOCUMENT, 'sha256'], 'a'.repeat(63), 'must match pattern'],
    ['a long sha256', [...DOCUMENT, 'sha256'], 'a'.repeat(65), 'must match pattern'],
  ])('SigningPackageArchived: refuses %s', (_, path, value, what) => {
    expectRefused('SigningPackageArchived', path, value, what);
  });

  it.each<[string, Key[], unknown, string]>([
    ['no error', ERROR, REMOVE, ''],
    ['an error without its message', [...ERROR, 'message'], REMOVE, ''],
    ['an empty message', [...ERROR, 'message'], '', 'must NOT have fewer than 1 characters'],
    ['an HTTP status below 100', [...ERROR, 'httpStatus'], 99, 'must be >= 100'],
    ['an HTTP status above 599', [...ERROR, 'httpStatus'], 600, 'must be <= 599'],
    ['an HTTP status that is a string', [...ERROR, 'httpStatus'], '403', 'must be integer'],
    [
      'an error with a field of its own',
      [...ERROR, 'stack'],
      'at x',
      'must NOT have additional properties ("stack")',
    ],
  ])('SigningPackageArchiveFailed: refuses %s', (_, path, value, what) => {
    expectRefused('SigningPackageArchiveFailed', path, value, what);
  });

  it('takes a package archived with no document, and an error without an HTTP status', () => {
    matches(withValue('SigningPackageArchived', ['detail', 'documents'], []));
    matches(withValue('SigningPackageArchiveFailed', [...ERROR, 'httpStatus'], REMOVE));
  });
});

describe('the generated types', () => {
  it(`are what npm run events:types makes of the schemas today (${EVENT_TYPES_FILE})`, async () => {
    const committed = readFileSync(new URL(`../../${EVENT_TYPES_FILE}`, import.meta.url), 'utf8');
    expect(await generateEventTypes(), 'run npm run events:types and commit the result').toBe(
      committed,
    );
  });

  it('declare an event type and a detail type per detail-type', () => {
    const types = readFileSync(new URL(`../../${EVENT_TYPES_FILE}`, import.meta.url), 'utf8');
    expect(types.startsWith('// generated by npm run events:types; do not edit\n')).toBe(true);
    for (const type of DETAIL_TYPES) {
      expect(types).toContain(`export type ${type}Event = EventBridgeEnvelope & {`);
      expect(types).toContain(`export interface ${type}Detail {`);
    }
  });
});

describe('the catalogue README (docs/events/README.md)', () => {
  it('names each event and links its schema and its example', () => {
    const readme = docsFile('README.md');
    for (const type of DETAIL_TYPES) {
      expect(readme).toContain(`### ${type}`);
      expect(readme).toContain(`(${type}.schema.json)`);
      expect(readme).toContain(`(${type}.example.json)`);
    }
  });
});
