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
