import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { coldStartBlobs, emfBlobs, emfDuring, emfTotals } from '../support/emf.ts';
import { scheduledEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { startFunctionStack, TEST_SERVICE_NAME } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';

/** What the functions' log lines and metrics name as their service (POWERTOOLS_SERVICE_NAME). */
const SERVICE = new Set([TEST_SERVICE_NAME]);

const { stack, output } = await startForFile(() =>
  startFunctionStack('reconcile', { RECONCILE_AFTER_SECONDS: '900' }),
);
const nextPackageId = packageIds(13_000);

/** A package IN_PROGRESS in the table, last changed `ageSeconds` ago, in `workflowStatus` at SigningHub. */
const openPackage = async (ageSeconds: number, workflowStatus: string) => {
  const packageId = nextPackageId();
  stack.simulator.createPackage(packageId, ['alice@example.com']);
  stack.simulator.setWorkflowStatus(packageId, workflowStatus);
  await stack.table.packages.markInProgress(packageId, new Date(Date.now() - ageSeconds * 1000));
  return packageId;
};

const run = () =>
  emfDuring(output, () => stack.module.handler(scheduledEvent(), lambdaContext(120_000)));

// The function's first run, before any test: its cold start, and the token it then holds. The
// package it confirms is final, so no later run checks it again.
await openPackage(3_600, 'COMPLETED');
await run();

describe('reconcile metrics (EMF on stdout)', () => {
  it('counts the packages checked and those made final, by status', async () => {
    await openPackage(3_600, 'COMPLETED');
    await openPackage(1_000, 'DECLINED');
    await openPackage(2_000, 'IN_PROGRESS');
    await openPackage(60, 'COMPLETED');
    // SigningHub refuses the token the function holds: the run authenticates once more.
    stack.simulator.revokeTokens();
    const before = stack.simulator.count('authenticate');

    const { answer, blobs } = await run();

    expect(stack.simulator.count('authenticate') - before).toBe(1);

    expect(answer).toMatchObject({ checked: 3, final: 2 });
    expect(emfTotals(blobs)).toEqual({
      ReconcileChecked: 3,
      ReconcileConfirmed: 2,
      PackageCompleted: 1,
      PackageDeclined: 1,
      SigningHubAuthentications: 1,
    });
    expect(blobs.find((blob) => 'ReconcileChecked' in blob.units)).toMatchObject({
      namespace: 'SigningHubFinish',
      dimensions: [['service']],
    });
  });

  it('says so when a run finds nothing to check: a zero of each', async () => {
    await openPackage(60, 'COMPLETED');
    const { blobs } = await run();
    expect(emfTotals(blobs)).toEqual({ ReconcileChecked: 0, ReconcileConfirmed: 0 });
  });

  it('checks but does not count as confirmed a package SigningHub could not confirm', async () => {
    const down = await openPackage(5_000, 'COMPLETED');
    stack.simulator.script(down, 'workflow', { status: 500 });
    const { blobs, logs } = await run();
    expect(emfTotals(blobs)).toEqual({ ReconcileChecked: 1, ReconcileConfirmed: 0 });
    expect(new Set(logs.map((line) => line.service))).toEqual(SERVICE);
  });

  it('prints ColdStart once, on the first run only', async () => {
    expect(coldStartBlobs((await run()).blobs)).toEqual([]);
    const coldStarts = coldStartBlobs(emfBlobs(output.lines()));
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]?.fields).toMatchObject({
      ColdStart: 1,
      service: 'signinghub-finish-test',
    });
  });
});
