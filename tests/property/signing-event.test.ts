import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSigningEvent, type SigningEventParse } from '../../lib/finish/signing-event.ts';
import { eventBridgeEnvelope, signingEventBody } from '../support/factories.ts';
import {
  anyIdText,
  anyIdValue,
  hostileIdText,
  isCanonicalId,
  positiveSafeInteger,
} from './arbitraries.ts';

/** What every answer of the parser must look like, whatever it was given. */
const expectWellFormed = (result: SigningEventParse) => {
  if (!result.ok) {
    expect(result.reason).toEqual(expect.any(String));
    expect(result.reason.length).toBeGreaterThan(0);
    return;
  }
  const { packageId, signerEmail } = result.event;
  expect(Number.isSafeInteger(packageId) && packageId > 0).toBe(true);
  if (signerEmail !== undefined) {
    expect(signerEmail).toBe(signerEmail.trim().toLowerCase());
    expect(signerEmail).toMatch(/^[^\s@]+@[^\s@]+$/);
    expect(signerEmail.length).toBeLessThanOrEqual(254);
  }
};

const email = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((address) => ` ${address.toUpperCase()}\t`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('a@b', '@b.c', 'a@', 'a b@c.d', 'a@b.c\r\nX-Injected: 1', 'a@b.c&scope=admin'),
  fc.constantFrom(42, null, [], {}),
);

describe('parseSigningEvent: any body yields a valid event or a reason, never an exception', () => {
  it('answers any text, binary or not, without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (body) => {
        expectWellFormed(parseSigningEvent(body));
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers any JSON value without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expectWellFormed(parseSigningEvent(JSON.stringify(value)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('answers events with any packageId and signerEmail, bare or in an envelope', () => {
    fc.assert(
      fc.property(anyIdValue, email, fc.boolean(), (packageId, signerEmail, envelope) => {
        const detail = { packageId, signerEmail };
        const result = parseSigningEvent(
          envelope ? eventBridgeEnvelope(detail) : signingEventBody(detail),
        );
        expectWellFormed(result);
        if (result.ok && typeof packageId === 'number')
          expect(result.event.packageId).toBe(packageId);
        if (result.ok && typeof packageId === 'string') {
          expect(String(result.event.packageId)).toBe(packageId);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('parseSigningEvent: the package id', () => {
  it('reads back every positive safe integer exactly, as a number or a decimal string', () => {
    fc.assert(
      fc.property(positiveSafeInteger, fc.boolean(), fc.boolean(), (id, asString, envelope) => {
        const detail = { packageId: asString ? String(id) : id, signerEmail: 'a@example.com' };
        const result = parseSigningEvent(
          envelope ? eventBridgeEnvelope(detail) : signingEventBody(detail),
        );
        expect(result).toMatchObject({ ok: true, event: { packageId: id } });
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts a string id exactly when it is plain ASCII decimal within the safe range', () => {
    fc.assert(
      fc.property(anyIdText, (text) => {
        const result = parseSigningEvent(JSON.stringify({ packageId: text }));
        expect(result.ok).toBe(isCanonicalId(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses signs, exponents, leading zeros, white space, other digits and unsafe integers', () => {
    fc.assert(
      fc.property(hostileIdText, (text) => {
        const result = parseSigningEvent(JSON.stringify({ packageId: text }));
        expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('packageId') });
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts a numeric id exactly when it is a positive safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger()), (value) => {
        const result = parseSigningEvent(JSON.stringify({ packageId: value }));
        const parsed = JSON.parse(JSON.stringify(value)) as unknown;
        expect(result.ok).toBe(
          typeof parsed === 'number' && Number.isSafeInteger(parsed) && parsed > 0,
        );
      }),
      { numRuns: 2_000 },
    );
  });
});
