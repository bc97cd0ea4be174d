import { describe, expect, it } from 'vitest';
import { coldStartBlobs, emfBlobs, emfDuring, emfTotal } from '../support/emf.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_SERVICE_NAME } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { startPublishStack } from '../support/publish-stack.ts';

/** What the functions' log lines and metrics name as their service (POWERTOOLS_SERVICE_NAME). */
const SERVICE = new Set([TEST_SERVICE_NAME]);

const { stack, output } = await startForFile(() => startPublishStack());
const { table, eventBridge, pump } = stack;
const newPackage = packageIds(14_000);

const complete = (packageId: number, status: 'COMPLETED' | 'DECLINED' = 'COMPLETED') =>
  table.packages.recordConfirmation(packageId, { status, workflowStatus: status }, new Date());
const drained = () => emfDuring(output, () => pump.drain());

// The function's first invocation, before any test, with its cold start: a change that is no
// completion (an empty stream invokes nothing).
await table.packages.markInProgress(newPackage(), new Date());
await drained();

describe('publish metrics (EMF on stdout)', () => {
  it('counts each completion event EventBridge took', async () => {
    await complete(newPackage());
    await complete(newPackage(), 'DECLINED');
    const { blobs } = await drained();
    expect(emfTotal(blobs, 'CompletionEventPublished')).toBe(2);
    expect(emfTotal(blobs, 'CompletionEventRefused')).toBe(0);
    expect(blobs.find((blob) => 'CompletionEventPublished' in blob.units)).toMatchObject({
      namespace: 'SigningHubFinish',
      dimensions: [['service']],
      fields: { service: 'signinghub-finish-test' },
    });
  });

  it('counts each event EventBridge refused, and the one published when the stream retries', async () => {
    const packageId = newPackage();
    await complete(packageId);
    eventBridge.failNext(2);
    const { blobs, logs } = await drained();
    expect(new Set(logs.map((line) => line.service))).toEqual(SERVICE);
    expect(emfTotal(blobs, 'CompletionEventRefused')).toBe(2);
    expect(emfTotal(blobs, 'CompletionEventPublished')).toBe(1);
    expect(
      eventBridge.events.filter(
        (event) => (event.detail as { packageId: number }).packageId === packageId,
      ),
    ).toHaveLength(1);
  });

  it('prints no metrics, and no warning, for changes that are no completion', async () => {
    const from = output.lines().length;
    await table.packages.markInProgress(newPackage(), new Date());
    const { blobs } = await drained();
    expect(blobs).toEqual([]);
    const warnings = output
      .lines()
      .slice(from)
      .filter((line) => line.level === 'WARN');
    expect(warnings).toEqual([]);
  });

  it('prints ColdStart once, on the first invocation only, with the function name', async () => {
    await table.packages.markInProgress(newPackage(), new Date());
    expect(coldStartBlobs((await drained()).blobs)).toEqual([]);
    const coldStarts = coldStartBlobs(emfBlobs(output.lines()));
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]?.fields).toMatchObject({
      ColdStart: 1,
      function_name: 'signinghub-finish-test-publish',
    });
  });
});
