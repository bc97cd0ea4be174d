import { describe, expect, it } from 'vitest';
import { SERVICE_DIMENSION } from '../../lib/metrics-catalogue.ts';
import {
  applicationBlobs,
  coldStartBlobs,
  emfBlobs,
  emfDuring,
  emfTotal,
  emfTotals,
  emfValues,
} from '../support/emf.ts';
import { signingEventBody, sqsEvent, sqsRecord } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { finishHelpers } from '../support/finish-helpers.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { TEST_SERVICE_NAME } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';

/** What the functions' log lines and metrics name as their service (POWERTOOLS_SERVICE_NAME). */
const SERVICE = new Set([TEST_SERVICE_NAME]);

const { stack, output } = await startForFile(() => startFinishStack());
const newPackage = packageIds(11_000);
const { eventFor, finishes } = finishHelpers(stack);

const OUTCOMES = [
  'FinishSucceeded',
  'FinishFailed',
  'FinishRetrying',
  'FinishSkipped',
  'SigningEventRejected',
];
const RESPONSES = ['FinishResponse2xx', 'FinishResponse4xx', 'FinishResponse5xx'];

const invoke = (...records: Parameters<typeof sqsEvent>) =>
  emfDuring(output, () => stack.invoke(sqsEvent(...records)));

// The function's first invocation, before any test: its cold start, and the token it then holds.
await invoke(eventFor(newPackage()));

describe('finish metrics (EMF on stdout)', () => {
  it('prints one blob per invocation in SigningHubFinish, with service as its only dimension', async () => {
    const packageId = newPackage();
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    const { blobs } = await invoke(
      sqsRecord(
        signingEventBody({ packageId, signerEmail: 'metrics@example.com', occurredAt: minuteAgo }),
      ),
    );

    const [blob, ...more] = applicationBlobs(blobs);
    expect(more).toEqual([]);
    expect(blob).toMatchObject({
      namespace: 'SigningHubFinish',
      dimensions: [['service']],
      fields: { service: 'signinghub-finish-test' },
    });
    // A signer the function has no token for yet: one authentication.
    expect(emfTotals(blobs)).toEqual({
      FinishSucceeded: 1,
      FinishResponse2xx: 1,
      FinishRequests: 1,
      SigningHubAuthentications: 1,
      SigningEventToFinish: expect.any(Number),
    });
    expect(blob?.units).toMatchObject({
      FinishSucceeded: 'Count',
      FinishRequests: 'Count',
      SigningEventToFinish: 'Milliseconds',
    });
    expect(emfValues(blobs, 'SigningEventToFinish')[0]).toBeGreaterThanOrEqual(60_000);
    // The dimension infra/ alarms and draws on is the one Powertools writes.
    expect(blob?.dimensions).toEqual([[SERVICE_DIMENSION]]);
  });

  it('prints ColdStart once, on the first invocation only, with the function name', async () => {
    const { blobs } = await invoke(eventFor(newPackage()));
    expect(coldStartBlobs(blobs)).toEqual([]);
    const all = emfBlobs(output.lines());
    const coldStarts = coldStartBlobs(all);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({
      namespace: 'SigningHubFinish',
      dimensions: [['service', 'function_name']],
      fields: {
        ColdStart: 1,
        service: 'signinghub-finish-test',
        function_name: 'signinghub-finish-test-finish',
      },
    });
    expect(applicationBlobs(all).length).toBeGreaterThanOrEqual(2);
  });

  it('counts a finish failed for good (403) with its 4xx answer, as settled', async () => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', {
      status: 403,
      body: { Message: 'Account is disabled' },
    });
    const { blobs } = await invoke(eventFor(packageId));
    expect(emfTotals(blobs)).toEqual({
      FinishFailed: 1,
      FinishResponse4xx: 1,
      FinishRequests: 1,
      // The factory's occurredAt is in the past.
      SigningEventToFinish: expect.any(Number),
    });
  });

  it('counts a finish handed back after 500s as retrying: one 5xx per request, nothing settled', async () => {
    const packageId = newPackage();
    stack.simulator.script(
      packageId,
      'finish',
      ...Array.from({ length: 4 }, () => ({ status: 500 })),
    );
    const { answer, blobs } = await invoke(eventFor(packageId));
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(emfTotals(blobs)).toEqual({ FinishRetrying: 1, FinishResponse5xx: finishes(packageId) });
    expect(finishes(packageId)).toBe(4);
  });

  it('counts a duplicate of a settled finish as skipped, with no request', async () => {
    const record = eventFor(newPackage());
    await invoke(record);
    const { blobs } = await invoke(record);
    expect(emfTotals(blobs)).toEqual({ FinishSkipped: 1 });
  });

  it('counts a message that is no signing event as rejected, and logs it under the same service', async () => {
    const { blobs, logs } = await invoke(
      sqsRecord('not json'),
      sqsRecord(JSON.stringify({ id: 1 })),
    );
    expect(emfTotals(blobs)).toEqual({ SigningEventRejected: 2 });
    expect(new Set(logs.map((line) => line.service))).toEqual(SERVICE);
  });

  it('counts a dropped connection as no answer, and both requests of the settled finish', async () => {
    const packageId = newPackage();
    stack.simulator.script(packageId, 'finish', { drop: true });
    const { blobs } = await invoke(eventFor(packageId));
    expect(emfTotals(blobs)).toMatchObject({
      FinishSucceeded: 1,
      FinishResponseNone: 1,
      FinishResponse2xx: 1,
    });
    expect(emfValues(blobs, 'FinishRequests')).toEqual([2]);
  });

  it('counts each authentication sent: a refused token costs one more', async () => {
    await invoke(eventFor(newPackage()));
    stack.simulator.revokeTokens();
    const before = stack.simulator.count('authenticate');
    const { blobs } = await invoke(eventFor(newPackage()));
    expect(emfTotal(blobs, 'SigningHubAuthentications')).toBe(
      stack.simulator.count('authenticate') - before,
    );
    expect(emfTotals(blobs)).toMatchObject({
      SigningHubAuthentications: 1,
      FinishResponse4xx: 1,
      FinishResponse2xx: 1,
    });
    expect(emfValues(blobs, 'FinishRequests')).toEqual([2]);
  });

  it('counts every message of a mixed batch once, by what became of it', async () => {
    const [ok, gone, down] = [newPackage(), newPackage(), newPackage()];
    stack.simulator.script(gone, 'finish', { status: 404 });
    stack.simulator.script(down, 'finish', ...Array.from({ length: 4 }, () => ({ status: 503 })));
    const records = [eventFor(ok), eventFor(gone), eventFor(down), sqsRecord('{}')];
    const { blobs } = await invoke(...records);
    const counts = emfTotals(blobs);
    expect(
      Object.fromEntries(OUTCOMES.filter((name) => name in counts).map((n) => [n, counts[n]])),
    ).toEqual({ FinishSucceeded: 1, FinishFailed: 1, FinishRetrying: 1, SigningEventRejected: 1 });
    // One answer class per request sent, and one FinishRequests point per settled finish.
    const sent = finishes(ok) + finishes(gone) + finishes(down);
    expect(RESPONSES.reduce((sum, name) => sum + (counts[name] ?? 0), 0)).toBe(sent);
    expect(emfValues(blobs, 'FinishRequests').sort()).toEqual([1, 1]);
  });
});
