import { describe, expect, it } from 'vitest';
import { parseSigningEvent } from '../../../lib/finish/signing-event.ts';
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
