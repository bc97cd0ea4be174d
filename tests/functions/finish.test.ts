import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { ScriptedResponse } from '../../harness/simulator/types.ts';
import {
  eventBridgeEnvelope,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../support/factories.ts';
import { type FinishStack, startFinishStack } from '../support/finish-stack.ts';
import { captureOutput, type OutputCapture } from '../support/output-capture.ts';
import { itemAt, scanAll } from '../support/table-items.ts';

let stack: FinishStack;
let output: OutputCapture;
let nextPackageId = 1_000;
const newPackage = () => {
  nextPackageId += 1;
  return nextPackageId;
};

beforeAll(async () => {
  output = captureOutput();
  stack = await startFinishStack();
});
afterAll(async () => {
  output.stop();
  await stack.stop();
});

const finishItem = (packageId: number, signer = 'alice@example.com') =>
  itemAt(stack.table, `PACKAGE#${packageId}`, `FINISH#${signer}`);
const packageItem = (packageId: number) => itemAt(stack.table, `PACKAGE#${packageId}`, 'PACKAGE');
const finishes = (packageId: number) => stack.simulator.count('finish', packageId);
const eventFor = (packageId: number, signerEmail: string | undefined = 'alice@example.com') =>
  sqsRecord(signingEventBody({ packageId, signerEmail }));
const failuresOf = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier);

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
    ['a timeout', { hang: true }, { message: 'no answer within 500 ms' }],
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

describe('finish: exactly one finish per (package, signer)', () => {
  it('sends one request for duplicates inside one batch and reports none of them', async () => {
    const packageId = newPackage();
    const response = await stack.invoke(
      sqsEvent(eventFor(packageId), eventFor(packageId, 'ALICE@example.com'), eventFor(packageId)),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(finishes(packageId)).toBe(1);
  });

  it('sends nothing for a duplicate in a later batch', async () => {
    const packageId = newPackage();
    await stack.invoke(sqsEvent(eventFor(packageId)));
    const again = await stack.invoke(sqsEvent(eventFor(packageId)));
    expect(again.batchItemFailures).toEqual([]);
    expect(finishes(packageId)).toBe(1);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('treats each signer of a package as its own finish', async () => {
    const packageId = newPackage();
    await stack.invoke(
      sqsEvent(eventFor(packageId, 'a@example.com'), eventFor(packageId, 'b@example.com')),
    );
    expect(finishes(packageId)).toBe(2);
  });

  it('sends at most one request for concurrent duplicates, and settles the rest on redelivery', async () => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', { hang: true });
    const records = Array.from({ length: 6 }, () => eventFor(packageId));

    const responses = await Promise.all(records.map((record) => stack.invoke(sqsEvent(record))));

    // One invocation holds the lease (its first request hung, its retry succeeded); the others
    // found it in flight and handed their message back instead of sending.
    expect(finishes(packageId)).toBe(2);
    const handedBack = responses.flatMap(failuresOf);
    expect(handedBack).toHaveLength(5);
    const redelivered = await stack.invoke(
      sqsEvent(...records.filter((r) => handedBack.includes(r.messageId))),
    );
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(finishes(packageId)).toBe(2);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('takes over a claim whose lease expired (a crashed invocation)', async () => {
    const packageId = newPackage();
    const past = new Date(Date.now() - 60_000);
    const key = { packageId, signer: 'alice@example.com' };
    await stack.table.finishes.claimFinish(
      key,
      { leaseId: 'crashed', leaseUntil: past.getTime() + 1 },
      past,
    );

    const response = await stack.invoke(sqsEvent(eventFor(packageId)));

    expect(response.batchItemFailures).toEqual([]);
    expect(finishes(packageId)).toBe(1);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('leaves a claim with a live lease alone and hands the message back', async () => {
    const packageId = newPackage();
    const now = new Date();
    const key = { packageId, signer: 'alice@example.com' };
    await stack.table.finishes.claimFinish(
      key,
      { leaseId: 'alive', leaseUntil: now.getTime() + 600_000 },
      now,
    );
    const record = eventFor(packageId);

    const response = await stack.invoke(sqsEvent(record));

    expect(failuresOf(response)).toEqual([record.messageId]);
    expect(finishes(packageId)).toBe(0);
  });
});

describe('finish: bad input', () => {
  it('stores rejected messages with reason and raw body, and finishes the rest of the batch', async () => {
    const packageId = newPackage();
    const valid = eventFor(packageId);
    const notJson = sqsRecord('this is not json');
    const badId = sqsRecord(JSON.stringify({ packageId: '12abc', signerEmail: 'a@b.c' }));

    const response = await stack.invoke(sqsEvent(notJson, valid, badId));

    expect(response.batchItemFailures).toEqual([]);
    expect(await finishItem(packageId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(
      await itemAt(stack.table, `REJECTED#event-${notJson.messageId}`, 'REJECTED'),
    ).toMatchObject({
      source: 'event',
      reason: 'the body is not JSON',
      raw: 'this is not json',
      receivedAt: expect.any(String),
    });
    expect(
      await itemAt(stack.table, `REJECTED#event-${badId.messageId}`, 'REJECTED'),
    ).toMatchObject({
      source: 'event',
      reason: expect.stringContaining('packageId must be a positive integer'),
      raw: badId.body,
    });
  });

  it('keeps at most 64 KiB of a huge rejected body', async () => {
    const huge = sqsRecord(`{"packageId": "x", "padding": "${'€'.repeat(40_000)}"}`);
    await stack.invoke(sqsEvent(huge));
    const item = await itemAt(stack.table, `REJECTED#event-${huge.messageId}`, 'REJECTED');
    expect(Buffer.byteLength(String(item?.raw))).toBeLessThanOrEqual(64 * 1024);
    expect(item?.rawTruncated).toBe(true);
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
