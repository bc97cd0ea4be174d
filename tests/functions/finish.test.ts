import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { ScriptedResponse } from '../../harness/simulator/types.ts';
import { eventBridgeEnvelope, sqsEvent, sqsRecord } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { finishHelpers } from '../support/finish-helpers.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt, scanAll } from '../support/table-items.ts';

const { stack, output } = await startForFile(() => startFinishStack());
const newPackage = packageIds(1_000);

const { finishItem, packageItem, finishes, eventFor, failuresOf } = finishHelpers(stack);

describe('finish: a signing event becomes one recorded SigningHub finish', () => {
  it('finishes with a token scoped to the signer and records SUCCEEDED and the package', async () => {
    const packageId = newPackage();
    const response = await stack.invoke(sqsEvent(eventFor(packageId, 'Alice@Example.com')));

    expect(response).toEqual({ batchItemFailures: [] });
    const [call] = stack.simulator.calls.filter(
      (c) => c.operation === 'finish' && c.packageId === packageId,
    );
    expect(call).toMatchObject({ tokenScope: 'alice@example.com', status: 200, bodyLength: 0 });
    expect(call?.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: 'Bearer <redacted>',
    });
    expect(await finishItem(packageId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      packageId,
      signerEmail: 'alice@example.com',
    });
    const item = await finishItem(packageId);
    expect(item?.finishedAt).toEqual(expect.any(String));
    expect(item?.leaseId).toBeUndefined();
    expect(await packageItem(packageId)).toMatchObject({ status: 'IN_PROGRESS', packageId });
  });

  it('finishes as the account itself when the event names no signer', async () => {
    const packageId = newPackage();
    await stack.invoke(sqsEvent(sqsRecord(JSON.stringify({ packageId: String(packageId) }))));
    const [call] = stack.simulator.calls.filter(
      (c) => c.operation === 'finish' && c.packageId === packageId,
    );
    expect(call?.tokenScope).toBe('');
    expect(await itemAt(stack.table, `PACKAGE#${packageId}`, 'FINISH#-')).toMatchObject({
      status: 'SUCCEEDED',
    });
  });

  it('reads the event out of an EventBridge envelope', async () => {
    const packageId = newPackage();
    const response = await stack.invoke(
      sqsEvent(sqsRecord(eventBridgeEnvelope({ packageId, signerEmail: 'alice@example.com' }))),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('authenticates once per signer while the token lives', async () => {
    const before = stack.simulator.count('authenticate');
    const signer = 'once-per-scope@example.com';
    await stack.invoke(sqsEvent(eventFor(newPackage(), signer), eventFor(newPackage(), signer)));
    await stack.invoke(sqsEvent(eventFor(newPackage(), signer)));
    const scoped = stack.simulator.calls
      .slice(before)
      .filter((c) => c.operation === 'authenticate' && c.scope === signer);
    expect(scoped).toHaveLength(1);
  });
});

describe('finish: outcomes by SigningHub answer', () => {
  it.each<[string, ScriptedResponse, { httpStatus: number; message: string }]>([
    [
      '400',
      { status: 400, body: { Message: 'Invalid package id' } },
      { httpStatus: 400, message: 'Invalid package id' },
    ],
    [
      '403 access period',
      {
        status: 403,
        body: { Message: 'You cannot access this document after the access period ends' },
      },
      { httpStatus: 403, message: 'You cannot access this document after the access period ends' },
    ],
    [
      '403 disabled, key spelt Error',
      { status: 403, body: { Error: 'Account is disabled' } },
      { httpStatus: 403, message: 'Account is disabled' },
    ],
    [
      '404, key spelt message',
      { status: 404, body: { message: 'Document not found' } },
      { httpStatus: 404, message: 'Document not found' },
    ],
  ])(
    'records %s as FAILED for good with its message, and does not retry',
    async (_, answer, lastError) => {
      const packageId = newPackage();
      stack.simulator.script(packageId, 'finish', answer);
      const record = eventFor(packageId);

      const response = await stack.invoke(sqsEvent(record));

      expect(response.batchItemFailures).toEqual([]);
      expect(finishes(packageId)).toBe(1);
      expect(await finishItem(packageId)).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        lastError,
      });
      expect((await finishItem(packageId))?.finishedAt).toEqual(expect.any(String));
      expect(await packageItem(packageId)).toBeUndefined();

      await stack.invoke(sqsEvent(eventFor(packageId)));
      expect(finishes(packageId)).toBe(1);
    },
  );

  it('gets a new token on 401 and tries once more', async () => {
    const packageId = newPackage();
    await stack.invoke(sqsEvent(eventFor(newPackage())));
    const authBefore = stack.simulator.count('authenticate');
    stack.simulator.revokeTokens();

    const response = await stack.invoke(sqsEvent(eventFor(packageId)));

    expect(response.batchItemFailures).toEqual([]);
    expect(stack.simulator.count('authenticate')).toBe(authBefore + 1);
    expect(
      stack.simulator.calls.filter((c) => c.packageId === packageId).map((c) => c.status),
    ).toEqual([401, 200]);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('hands the message back after one new token is refused too: two finish requests at most', async () => {
    const packageId = newPackage();
    const denied = { status: 401, body: { Message: 'Request authorization denied' } };
    stack.simulator.script(packageId, 'finish', ...Array.from({ length: 10 }, () => denied));
    const authBefore = stack.simulator.count('authenticate');
    const record = eventFor(packageId, 'refused@example.com');

    const response = await stack.invoke(sqsEvent(record));

    expect(failuresOf(response)).toEqual([record.messageId]);
    expect(finishes(packageId)).toBe(2);
    expect(stack.simulator.count('authenticate') - authBefore).toBeLessThanOrEqual(2);
    expect(await finishItem(packageId, 'refused@example.com')).toMatchObject({
      status: 'RETRYING',
      attempts: 2,
      lastError: { httpStatus: 401, message: 'Request authorization denied' },
    });
  });

  it('decides a 200 on its status line: a body cut off is still success, never sent again', async () => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', { status: 200, cutBody: true });
    const record = eventFor(packageId);

    expect(await stack.invoke(sqsEvent(record))).toEqual({ batchItemFailures: [] });
    expect(await stack.invoke(sqsEvent(record))).toEqual({ batchItemFailures: [] });

    expect(finishes(packageId)).toBe(1);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it.each<[string, ScriptedResponse, Record<string, unknown>]>([
    [
      '500',
      {
        status: 500,
        body: { Message: 'An internal server error occurred while processing the request' },
      },
      {
        httpStatus: 500,
        message: 'An internal server error occurred while processing the request',
      },
    ],
    ['503', { status: 503, body: 'Service Unavailable' }, { httpStatus: 503 }],
    ['408', { status: 408, body: { Message: 'Request Timeout' } }, { httpStatus: 408 }],
    ['a timeout', { hang: true }, { message: 'no answer within 2000 ms' }],
    ['a dropped connection', { drop: true }, { message: expect.stringContaining('network error') }],
  ])('retries after %s with backoff inside the invocation', async (_, answer, lastError) => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', answer);

    const response = await stack.invoke(sqsEvent(eventFor(packageId)));

    expect(response.batchItemFailures).toEqual([]);
    expect(finishes(packageId)).toBe(2);
    expect(await finishItem(packageId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 2,
      lastError,
    });
  });

  it('waits as long as Retry-After says on 429', async () => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { Message: 'Too many requests' },
    });

    await stack.invoke(sqsEvent(eventFor(packageId)));

    const [first, second] = stack.simulator.calls.filter(
      (c) => c.operation === 'finish' && c.packageId === packageId,
    );
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('hands a transient failure back to SQS when the invocation has no time, keeping attempts and the last error', async () => {
    const packageId = newPackage();
    const unavailable = { status: 503, body: { Message: 'Down for maintenance' } };
    // Back in 10 s: more than an 8-second invocation has left, however fast the machine is.
    const later = { ...unavailable, headers: { 'retry-after': '10' } };
    stack.simulator.script(
      packageId,
      'finish',
      later,
      ...Array.from({ length: 4 }, () => unavailable),
    );
    const record = eventFor(packageId);

    const short = await stack.invoke(sqsEvent(record), 8_000);
    expect(failuresOf(short)).toEqual([record.messageId]);
    expect(await finishItem(packageId)).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      lastError: { httpStatus: 503, message: 'Down for maintenance' },
    });

    const long = await stack.invoke(sqsEvent(record));
    expect(failuresOf(long)).toEqual([record.messageId]);
    expect(await finishItem(packageId)).toMatchObject({ status: 'RETRYING', attempts: 5 });

    const last = await stack.invoke(sqsEvent(record));
    expect(last.batchItemFailures).toEqual([]);
    expect(await finishItem(packageId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 6,
      lastError: { httpStatus: 503 },
    });
    expect(finishes(packageId)).toBe(6);
  });

  it('reports only the failed messages of a mixed batch', async () => {
    const [ok, down, gone] = [newPackage(), newPackage(), newPackage()];
    stack.simulator.script(down, 'finish', ...Array.from({ length: 4 }, () => ({ status: 502 })));
    stack.simulator.script(gone, 'finish', {
      status: 404,
      body: { Message: 'Document not found' },
    });
    const records = [eventFor(ok), eventFor(down), eventFor(gone)];

    const response = await stack.invoke(sqsEvent(...records));

    expect(failuresOf(response)).toEqual([records[1]?.messageId]);
  });
});

describe('finish: secrets', () => {
  it('keeps credentials and tokens out of every log line and every stored item', async () => {
    const packageId = newPackage();
    stack.simulator.scriptAuthenticate({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid username or password' },
    });
    stack.simulator.script(packageId, 'finish', { status: 500 });
    stack.simulator.revokeTokens();
    await stack.invoke(sqsEvent(eventFor(packageId), eventFor(newPackage(), 'bob@example.com')));
    await stack.invoke(sqsEvent(eventFor(packageId)));

    const printed = output.text();
    const stored = JSON.stringify(await scanAll(stack.table));
    expect(printed).toContain('finish succeeded');
    for (const secret of [
      DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
      DEFAULT_SIMULATOR_CREDENTIALS.password,
      'Bearer ',
      'access_token',
      'refresh_token',
    ]) {
      expect(printed).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('puts the package id and the request id on every log line about a package', () => {
    const lines = output
      .lines()
      .filter(
        (line) => typeof line.message === 'string' && String(line.message).startsWith('finish'),
      );
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(line.packageId).toEqual(expect.any(Number));
      expect(line.function_request_id).toEqual(expect.any(String));
    }
  });
});
