import { describe, expect, it } from 'vitest';
import { occurredAtMs, parseSigningEvent } from '../../../lib/finish/signing-event.ts';
import { eventBridgeEnvelope, signingEventBody } from '../../support/factories.ts';

describe('parseSigningEvent', () => {
  it('reads a raw event and lower-cases the signer', () => {
    const result = parseSigningEvent(
      signingEventBody({ packageId: 1234, signerEmail: ' Alice@Example.COM ', eventId: 'e-1' }),
    );
    expect(result).toEqual({
      ok: true,
      event: {
        tenant: 'default',
        packageId: 1234,
        signerEmail: 'alice@example.com',
        eventId: 'e-1',
        occurredAt: '2026-11-27T10:00:00Z',
      },
    });
  });

  it('reads the detail of an EventBridge envelope', () => {
    const result = parseSigningEvent(
      eventBridgeEnvelope({ packageId: '77', signerEmail: 'b@x.com' }),
    );
    expect(result).toMatchObject({ ok: true, event: { packageId: 77, signerEmail: 'b@x.com' } });
  });

  it('lets the account finish for itself when there is no signer', () => {
    expect(parseSigningEvent('{"packageId": 5}')).toMatchObject({
      ok: true,
      event: { packageId: 5, signerEmail: undefined },
    });
  });

  it.each([
    ['not json', 'the body is not JSON'],
    ['[1,2]', 'the body is not a JSON object'],
    ['{"signerEmail":"a@b.c"}', 'packageId is missing'],
    ['{"packageId":0}', 'packageId must be a positive integer'],
    ['{"packageId":-4}', 'packageId must be a positive integer'],
    ['{"packageId":1.5}', 'packageId must be a positive integer'],
    ['{"packageId":"+4"}', 'packageId must be a positive integer'],
    ['{"packageId":"1e3"}', 'packageId must be a positive integer'],
    ['{"packageId":"007"}', 'packageId must be a positive integer'],
    ['{"packageId":"١٢"}', 'packageId must be a positive integer'],
    ['{"packageId":9007199254740993}', 'packageId must be a positive integer'],
    ['{"packageId":"9007199254740993"}', 'packageId must be a positive integer'],
    ['{"packageId":true}', 'packageId must be a positive integer'],
    ['{"packageId":1,"signerEmail":42}', 'signerEmail must be a string'],
    ['{"packageId":1,"signerEmail":"not-an-email"}', 'signerEmail is not an email address'],
    ['{"detail":{"signerEmail":"a@b.c"}}', 'packageId is missing'],
  ])('rejects %s with a reason', (body, reason) => {
    const result = parseSigningEvent(body);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('parseSigningEvent at the edges of its fields', () => {
  const parsed = (event: Record<string, unknown>) => parseSigningEvent(JSON.stringify(event));
  const local = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;

  it('takes a null signer as none: the account finishes for itself', () => {
    expect(parsed({ packageId: 1, signerEmail: null })).toMatchObject({
      ok: true,
      event: { signerEmail: undefined },
    });
  });

  it('takes an address of 254 characters and refuses one of 255', () => {
    expect(parsed({ packageId: 1, signerEmail: local(254) })).toMatchObject({
      ok: true,
      event: { signerEmail: local(254) },
    });
    expect(parsed({ packageId: 1, signerEmail: local(255) })).toEqual({
      ok: false,
      reason: 'signerEmail is not an email address',
    });
  });

  it('keeps a numeric eventId as its text, and leaves out an empty or odd one', () => {
    expect(parsed({ packageId: 1, eventId: 42 })).toMatchObject({ event: { eventId: '42' } });
    expect(parsed({ packageId: 1, eventId: 'abc' })).toMatchObject({ event: { eventId: 'abc' } });
    expect(parsed({ packageId: 1, eventId: '' })).toMatchObject({ event: { eventId: undefined } });
    expect(parsed({ packageId: 1, eventId: { id: 1 } })).toMatchObject({
      event: { eventId: undefined },
    });
  });

  it('cuts a long eventId or occurredAt to 256 characters', () => {
    const long = 'x'.repeat(300);
    const result = parsed({ packageId: 1, eventId: long, occurredAt: long });
    expect(result).toMatchObject({
      ok: true,
      event: { eventId: 'x'.repeat(256), occurredAt: 'x'.repeat(256) },
    });
  });

  describe('the tenant', () => {
    it.each([
      [undefined, 'default'],
      [null, 'default'],
      ['default', 'default'],
      ['acme', 'acme'],
      ['a', 'a'],
      ['a-1', 'a-1'],
      ['x'.repeat(40), 'x'.repeat(40)],
    ])('reads %j as the tenant %j', (tenant, expected) => {
      expect(parsed({ packageId: 1, tenant })).toMatchObject({
        ok: true,
        event: { tenant: expected },
      });
    });

    it('reads the tenant of an EventBridge envelope from its detail', () => {
      expect(
        parseSigningEvent(eventBridgeEnvelope({ packageId: 3, tenant: 'acme' })),
      ).toMatchObject({ ok: true, event: { tenant: 'acme', packageId: 3 } });
    });

    it.each([
      ['an upper-case name', 'Acme'],
      ['a leading dash', '-acme'],
      ['a trailing dash', 'acme-'],
      ['41 characters', 'x'.repeat(41)],
      ['an empty string', ''],
      ['a dot', 'ac.me'],
      ['a path', '../acme'],
      ['a number', 7],
      ['an object', { id: 'acme' }],
      ['true', true],
    ])('rejects %s', (_what, tenant) => {
      const result = parsed({ packageId: 1, tenant });
      expect(result).toEqual({
        ok: false,
        reason: expect.stringMatching(/^tenant must be a tenant id/),
      });
    });
  });
});

describe('parseSigningEvent: the addresses it refuses', () => {
  it.each([
    ['a space inside', 'alice smith@example.com'],
    ['a name before it', 'Alice <alice@example.com>'],
    ['a second word after it', 'alice@example.com bob'],
    ['a list', 'alice@example.com,bob@example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'alice@'],
  ])('refuses %s', (_what, signerEmail) => {
    expect(parseSigningEvent(JSON.stringify({ packageId: 1, signerEmail }))).toStrictEqual({
      ok: false,
      reason: 'signerEmail is not an email address',
    });
  });

  it('takes a one-letter local part and domain', () => {
    expect(parseSigningEvent('{"packageId":1,"signerEmail":"a@b"}')).toMatchObject({
      ok: true,
      event: { signerEmail: 'a@b' },
    });
  });

  it('names no tenant in the rejection of an event of the default tenant, and names any other', () => {
    const rejected = (tenant: string) =>
      parseSigningEvent(JSON.stringify({ tenant, packageId: 'x' }));
    expect(rejected('default')).toStrictEqual({
      ok: false,
      reason: expect.stringMatching(/^packageId must be/),
    });
    expect(rejected('acme')).toStrictEqual({
      ok: false,
      reason: expect.stringMatching(/^packageId must be/),
      tenant: 'acme',
    });
  });
});

describe('occurredAtMs', () => {
  const at = (occurredAt: string | undefined) => occurredAtMs({ occurredAt });

  it.each([
    ['2026-11-27T10:00Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00:00Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27t10:00:00z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00:00.5Z', '2026-11-27T10:00:00.500Z'],
    ['2026-11-27T10:00:00.123456789Z', '2026-11-27T10:00:00.123Z'],
    ['2026-11-27T11:30:00+01:30', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T05:00:00-05:00', '2026-11-27T10:00:00.000Z'],
  ])('reads %s as %s', (occurredAt, instant) => {
    expect(at(occurredAt)).toBe(Date.parse(instant));
  });

  it.each([
    ['absent', undefined],
    ['a date alone', '2026-11-27'],
    ['without its zone', '2026-11-27T10:00:00'],
    ['with a zone without minutes', '2026-11-27T10:00:00+01'],
    ['with a zone of one digit', '2026-11-27T10:00:00+1:00'],
    ['with a zone neither + nor -', '2026-11-27T10:00:00 01:00'],
    ['with a year of six digits', '+002026-11-27T10:00:00Z'],
    ['with a space for the T', '2026-11-27 10:00:00Z'],
    ['with one-digit fields', '2026-1-2T3:4:5Z'],
    ['with a dot and no fraction', '2026-11-27T10:00:00.Z'],
    ['with ten digits of fraction', '2026-11-27T10:00:00.1234567891Z'],
    ['with an impossible month', '2026-13-01T10:00:00Z'],
  ])('leaves out an instant %s', (_what, occurredAt) => {
    expect(at(occurredAt)).toBeUndefined();
  });
});
