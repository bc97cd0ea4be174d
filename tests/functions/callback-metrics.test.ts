import { describe, expect, it } from 'vitest';
import { startCallbackStack } from '../support/callback-stack.ts';
import { type EmfBlob, emfBlobs, emfDuring, emfTotal } from '../support/emf.ts';
import { type CallbackEventInput, callbackEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_CALLBACK_SECRET, TEST_SERVICE_NAME } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';

/** What the functions' log lines and metrics name as their service (POWERTOOLS_SERVICE_NAME). */
const SERVICE = new Set([TEST_SERVICE_NAME]);

const { stack, output } = await startForFile(() => startCallbackStack());
const nextPackageId = packageIds(12_000);
const secret = TEST_CALLBACK_SECRET;

/** A package at SigningHub in `workflowStatus`, or deleted there. */
const newPackage = (workflowStatus: string | 'deleted') => {
  const packageId = nextPackageId();
  stack.simulator.createPackage(packageId, ['alice@example.com']);
  if (workflowStatus === 'deleted') stack.simulator.deletePackage(packageId);
  else stack.simulator.setWorkflowStatus(packageId, workflowStatus);
  return packageId;
};

/** Each metric an invocation printed, summed, leaving out ColdStart's own blob. */
const totals = (blobs: readonly EmfBlob[]): Record<string, number> => {
  const names = new Set(
    blobs.filter((blob) => !('ColdStart' in blob.units)).flatMap((blob) => Object.keys(blob.units)),
  );
  return Object.fromEntries([...names].map((name) => [name, emfTotal(blobs, name)]));
};

const call = (input: CallbackEventInput) =>
  emfDuring(output, () => stack.call(callbackEvent(input)));
const callFor = (packageId: number) => call({ secret, query: { package_id: String(packageId) } });

describe('callback metrics (EMF on stdout)', () => {
  it('counts an accepted callback that made its package COMPLETED', async () => {
    const { answer, blobs } = await callFor(newPackage('COMPLETED'));
    expect(answer.statusCode).toBe(200);
    // The first call authenticates the account.
    expect(totals(blobs)).toEqual({
      CallbackAccepted: 1,
      PackageCompleted: 1,
      SigningHubAuthentications: 1,
    });
    expect(blobs.find((blob) => 'CallbackAccepted' in blob.units)).toMatchObject({
      namespace: 'SigningHubFinish',
      dimensions: [['service']],
      fields: { service: 'signinghub-finish-test' },
    });
  });

  it('prints ColdStart once, on the first invocation only', async () => {
    await callFor(newPackage('IN_PROGRESS'));
    const coldStarts = emfBlobs(output.lines()).filter((blob) => 'ColdStart' in blob.units);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]?.fields).toMatchObject({
      ColdStart: 1,
      service: 'signinghub-finish-test',
    });
  });

  it.each([
    ['DECLINED', 'PackageDeclined'],
    ['deleted', 'PackageDeleted'],
  ])('counts a package made %s by its callback', async (workflowStatus, metric) => {
    const { blobs } = await callFor(newPackage(workflowStatus));
    expect(totals(blobs)).toEqual({ CallbackAccepted: 1, [metric]: 1 });
  });

  it('counts a callback for a package still open, or already final, as accepted only', async () => {
    expect(totals((await callFor(newPackage('IN_PROGRESS'))).blobs)).toEqual({
      CallbackAccepted: 1,
    });
    const completed = newPackage('COMPLETED');
    await callFor(completed);
    expect(totals((await callFor(completed)).blobs)).toEqual({ CallbackAccepted: 1 });
  });

  it('counts a callback without a package id as rejected, and logs it under the same service', async () => {
    const { answer, blobs, logs } = await call({ secret, query: { package_id: 'abc' } });
    expect(answer.statusCode).toBe(400);
    expect(totals(blobs)).toEqual({ CallbackRejected: 1 });
    expect(new Set(logs.map((line) => line.service))).toEqual(SERVICE);
  });

  it('counts a callback with a wrong secret as unauthorised', async () => {
    const { answer, blobs } = await call({ secret: 'not-the-secret', query: { package_id: '1' } });
    expect(answer.statusCode).toBe(401);
    expect(totals(blobs)).toEqual({ CallbackUnauthorised: 1 });
  });

  it('prints no metrics and no warning for a HEAD probe', async () => {
    const from = output.lines().length;
    const { answer, blobs } = await call({ method: 'HEAD', secret });
    expect(answer.statusCode).toBe(200);
    expect(blobs).toEqual([]);
    const complaints = output
      .lines()
      .slice(from)
      .filter((line) => String(line.message ?? '').startsWith('No application metrics'));
    expect(complaints.map((line) => line.level)).toEqual(['DEBUG']);
  });
});
