import { describe, expect, it } from 'vitest';
import { archiveRequestBody, parseArchiveMessage } from '../../../lib/archive/archive-request.ts';

const completed = (detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: '0',
    id: 'e1',
    source: 'signinghub.finish',
    'detail-type': 'SigningPackageCompleted',
    detail,
    ...envelope,
  });

describe('parseArchiveMessage', () => {
  it('takes a completion event of a COMPLETED package, never with force', () => {
    const body = completed({ packageId: 1001, status: 'COMPLETED', at: 'x', force: true });
    expect(parseArchiveMessage(body)).toEqual({
      ok: true,
      request: { packageId: 1001, tenant: 'default', force: false },
    });
    expect(
      parseArchiveMessage(completed({ packageId: 7, status: 'COMPLETED', tenant: 'acme' })),
    ).toEqual({ ok: true, request: { packageId: 7, tenant: 'acme', force: false } });
  });

  it('takes an operator request back as it was made, tenant and force included', () => {
    for (const request of [
      { packageId: 1001, tenant: 'default', force: false },
      { packageId: 2, tenant: 'acme', force: true },
    ]) {
      expect(parseArchiveMessage(archiveRequestBody(request))).toEqual({ ok: true, request });
    }
    expect(
      JSON.parse(archiveRequestBody({ packageId: 3, tenant: 'default', force: false })).detail,
    ).toEqual({ packageId: 3, force: false });
  });

  it('puts an operator request in the envelope the queue’s rule and the function know', () => {
    expect(JSON.parse(archiveRequestBody({ packageId: 3, tenant: 'acme', force: true }))).toEqual({
      version: '0',
      source: 'signinghub.finish.operator',
      'detail-type': 'SigningPackageArchiveRequested',
      time: expect.any(String),
      detail: { packageId: 3, tenant: 'acme', force: true },
    });
  });

  it('takes a completion event without a status, and an operator request whatever status it names', () => {
    expect(parseArchiveMessage(completed({ packageId: 8 }))).toEqual({
      ok: true,
      request: { packageId: 8, tenant: 'default', force: false },
    });
    const named = JSON.parse(archiveRequestBody({ packageId: 9, tenant: 'default', force: true }));
    named.detail.status = 'DECLINED';
    expect(parseArchiveMessage(JSON.stringify(named))).toEqual({
      ok: true,
      request: { packageId: 9, tenant: 'default', force: true },
    });
  });

  it.each([
    ['not JSON', '{', 'the body is not JSON'],
    ['a detail list', completed({}, { detail: [{ packageId: 1 }] }), 'detail object'],
    [
      'the operator’s source with the event’s detail-type',
      completed({ packageId: 1 }, { source: 'signinghub.finish.operator' }),
      'not an archive request',
    ],
    [
      'the stack’s source with the operator’s detail-type',
      completed({ packageId: 1 }, { 'detail-type': 'SigningPackageArchiveRequested' }),
      'not an archive request',
    ],
    [
      'the operator’s source with another detail-type',
      completed(
        { packageId: 1 },
        { source: 'signinghub.finish.operator', 'detail-type': 'SigningPackageDeclined' },
      ),
      'not an archive request',
    ],
    ['no detail', JSON.stringify({ source: 'signinghub.finish' }), 'detail object'],
    [
      'another detail-type',
      completed({ packageId: 1 }, { 'detail-type': 'SigningPackageDeclined' }),
      'not an archive request',
    ],
    [
      'another source',
      completed({ packageId: 1 }, { source: 'someone.else' }),
      'not an archive request',
    ],
    ['a bad tenant', completed({ packageId: 1, tenant: 'Acme!' }), 'detail.tenant'],
    ['a bad package id', completed({ packageId: '01' }), 'detail.packageId'],
    ['a declined status', completed({ packageId: 1, status: 'DECLINED' }), 'not of a COMPLETED'],
  ])('refuses %s with its reason', (_what, body, reason) => {
    const parse = parseArchiveMessage(body);
    expect(parse.ok).toBe(false);
    expect(parse.ok ? '' : parse.reason).toContain(reason);
  });

  it('keeps the tenant a refused message named, none for the default tenant', () => {
    expect(parseArchiveMessage(completed({ packageId: 'x', tenant: 'acme' }))).toEqual({
      ok: false,
      reason: 'detail.packageId is not a package id',
      tenant: 'acme',
    });
    expect(parseArchiveMessage(completed({ packageId: 'x' }))).toEqual({
      ok: false,
      reason: 'detail.packageId is not a package id',
    });
  });
});
