import { describe, expect, it } from 'vitest';
import { sqsEvent, sqsRecord } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt } from '../support/table-items.ts';

const { stack } = await startForFile(() => startFinishStack());
const newPackage = packageIds(80_000);

/** Sends one message and answers what the function said, what it stored and what it sent. */
const deliver = async (body: string) => {
  const record = sqsRecord(body);
  const callsBefore = stack.simulator.calls.length;
  const response = await stack.invoke(sqsEvent(record));
  return {
    response,
    calls: stack.simulator.calls.slice(callsBefore),
    rejected: await itemAt(stack.table, `REJECTED#event-${record.messageId}`, 'REJECTED'),
  };
};

const expectRejected = async (body: string) => {
  const result = await deliver(body);
  expect(result.response.batchItemFailures).toEqual([]);
  expect(result.calls).toEqual([]);
  expect(result.rejected).toMatchObject({ source: 'event', reason: expect.any(String) });
  return result;
};

describe('finish: hostile signing events', () => {
  it('keeps 64 KiB of a 1 MiB body (the largest SQS message) and sends nothing', async () => {
    const { rejected } = await expectRejected(
      JSON.stringify({ packageId: 'x', padding: 'A'.repeat(1024 * 1024 - 40) }),
    );
    expect(Buffer.byteLength(String(rejected?.raw))).toBeLessThanOrEqual(64 * 1024);
    expect(rejected?.rawTruncated).toBe(true);
  });

  it.each([
    ['objects', `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`],
    ['envelopes', `${'{"detail":'.repeat(200_000)}{"packageId":5}${'}'.repeat(200_000)}`],
    ['arrays left open', '['.repeat(200_000)],
  ])('rejects %s nested 200,000 deep without crashing', async (_, body) => {
    await expectRejected(body);
  });

  it.each(['5/../../authenticate', '5?scope=admin', '5#fragment', '5%2F..%2Fauthenticate', '5 6'])(
    'rejects the package id %j that would build another SigningHub URL',
    async (packageId) => {
      await expectRejected(JSON.stringify({ packageId, signerEmail: 'alice@example.com' }));
    },
  );

  it.each([
    ['a header break', 'alice@example.com\r\nX-Injected: yes'],
    ['a NUL-separated second address', 'alice@example.com\u0000bob@example.com'],
    ['a quoted display name', '"Alice" <alice@example.com>'],
  ])('rejects a signer email with %s', async (_, signerEmail) => {
    const { rejected } = await expectRejected(
      JSON.stringify({ packageId: newPackage(), signerEmail }),
    );
    expect(rejected?.reason).toBe('signerEmail is not an email address');
  });

  it('sends an email with form syntax as one scope, adding no field to the authentication', async () => {
    const packageId = newPackage();
    const signerEmail = 'eve@example.com&scope=admin&password=guess&client_id=other';

    const { response, calls } = await deliver(JSON.stringify({ packageId, signerEmail }));

    expect(response.batchItemFailures).toEqual([]);
    const authentications = calls.filter((call) => call.operation === 'authenticate');
    expect(authentications.map((call) => [call.scope, call.status])).toEqual([[signerEmail, 200]]);
    expect(calls.filter((call) => call.operation === 'finish')).toEqual([
      expect.objectContaining({ tokenScope: signerEmail, status: 200 }),
    ]);
  });

  it.each([
    ['__proto__', '{"__proto__":{"packageId":5}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"packageId":5}}}'],
    ['an envelope __proto__', '{"detail":{"__proto__":{"packageId":5}}}'],
  ])('rejects an event hiding its id in %s and pollutes nothing', async (_, body) => {
    await expectRejected(body);
    expect(({} as Record<string, unknown>).packageId).toBeUndefined();
  });

  it('takes the top-level id over an envelope detail that names another package', async () => {
    const [outer, inner] = [newPackage(), newPackage()];
    const { calls } = await deliver(
      JSON.stringify({ packageId: outer, detail: { packageId: inner } }),
    );
    expect(
      calls.filter((call) => call.operation === 'finish').map((call) => call.packageId),
    ).toEqual([outer]);
  });
});
