import { describe, expect, it } from 'vitest';
import { startCallbackStack } from '../support/callback-stack.ts';
import { coldStartBlobs, emfBlobs, emfDuring, emfTotals } from '../support/emf.ts';
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

const call = (input: CallbackEventInput) =>
  emfDuring(output, () => stack.call(callbackEvent(input)));
const callFor = (packageId: number) => call({ secret, query: { package_id: String(packageId) } });

// The function's first invocation, before any test: its cold start, and the token it then holds.
await callFor(newPackage('IN_PROGRESS'));

describe('callback metrics (EMF on stdout)', () => {
  it('counts an accepted callback that made its package COMPLETED, and its authentication', async () => {
    // SigningHub refuses the token the function holds: the call authenticates once more.
    stack.simulator.revokeTokens();
    const before = stack.simulator.count('authenticate');
    const { answer, blobs } = await callFor(newPackage('COMPLETED'));
    expect(answer.statusCode).toBe(200);
    expect(stack.simulator.count('authenticate') - before).toBe(1);
    expect(emfTotals(blobs)).toEqual({
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
    const { blobs } = await callFor(newPackage('IN_PROGRESS'));
    expect(coldStartBlobs(blobs)).toEqual([]);
    const coldStarts = coldStartBlobs(emfBlobs(output.lines()));
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
    expect(emfTotals(blobs)).toEqual({ CallbackAccepted: 1, [metric]: 1 });
  });

  it('counts a callback for a package still open, or already final, as accepted only', async () => {
    expect(emfTotals((await callFor(newPackage('IN_PROGRESS'))).blobs)).toEqual({
      CallbackAccepted: 1,
    });
    const completed = newPackage('COMPLETED');
    await callFor(completed);
    expect(emfTotals((await callFor(completed)).blobs)).toEqual({ CallbackAccepted: 1 });
  });

  it('counts a callback without a package id as rejected, and logs it under the same service', async () => {
    const { answer, blobs, logs } = await call({ secret, query: { package_id: 'abc' } });
    expect(answer.statusCode).toBe(400);
    expect(emfTotals(blobs)).toEqual({ CallbackRejected: 1 });
    expect(new Set(logs.map((line) => line.service))).toEqual(SERVICE);
  });

  it('counts a callback with a wrong secret as unauthorised', async () => {
    const { answer, blobs } = await call({ secret: 'not-the-secret', query: { package_id: '1' } });
    expect(answer.statusCode).toBe(401);
    expect(emfTotals(blobs)).toEqual({ CallbackUnauthorised: 1 });
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
