import { describe, expect, it } from 'vitest';
import { sqsEvent, sqsRecord } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { finishHelpers } from '../support/finish-helpers.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { itemAt } from '../support/table-items.ts';

const { stack } = await startForFile(() => startFinishStack());
const newPackage = packageIds(1_000);

const { finishItem, finishes, eventFor, failuresOf } = finishHelpers(stack);

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
