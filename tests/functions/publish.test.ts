import { beforeEach, describe, expect, it } from 'vitest';
import { startForFile } from '../support/file-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { startPublishStack } from '../support/publish-stack.ts';

const { stack } = await startForFile(() => startPublishStack());
const { table, eventBridge, pump } = stack;
const newPackage = packageIds(9_000);

beforeEach(() => pump.drain());

const eventsFor = (packageId: number) =>
  eventBridge.events.filter(
    (event) => (event.detail as { packageId: number }).packageId === packageId,
  );
const at = (offsetMs = 0) => new Date(Date.now() + offsetMs);

describe('completion events', () => {
  it.each([
    ['COMPLETED', 'SigningPackageCompleted'],
    ['DECLINED', 'SigningPackageDeclined'],
    ['DELETED', 'SigningPackageDeleted'],
  ] as const)(
    'sends one %s event when a package first becomes final',
    async (status, detailType) => {
      const packageId = newPackage();
      await table.packages.markInProgress(packageId, at());
      const confirmedAt = at(1_000);
      await table.packages.recordConfirmation(
        packageId,
        { status, workflowStatus: status === 'DELETED' ? undefined : status },
        confirmedAt,
      );
      await pump.drain();

      expect(eventsFor(packageId)).toEqual([
        expect.objectContaining({
          busName: 'signing-events',
          source: 'signinghub.finish',
          detailType,
          detail: { packageId, status, at: confirmedAt.toISOString() },
        }),
      ]);
    },
  );

  it('sends one event for a package made final by its first callback (no finish before)', async () => {
    const packageId = newPackage();
    await table.packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(),
    );
    await pump.drain();
    expect(eventsFor(packageId)).toHaveLength(1);
  });

  it('sends nothing more for duplicate callbacks, later confirmations or a DECLINED after COMPLETED', async () => {
    const packageId = newPackage();
    await table.packages.recordCallback(packageId, at());
    await table.packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(),
    );
    await table.packages.recordCallback(packageId, at(1));
    await table.packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(2),
    );
    await table.packages.recordConfirmation(
      packageId,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      at(3),
    );
    await table.packages.markInProgress(packageId, at(4));
    await pump.drain();

    expect(eventsFor(packageId).map((event) => event.detailType)).toEqual([
      'SigningPackageCompleted',
    ]);
    expect(await table.packages.getPackage(packageId)).toMatchObject({
      status: 'COMPLETED',
      callbacks: 2,
    });
  });

  it('sends nothing for packages still in progress or for finish items', async () => {
    const packageId = newPackage();
    await table.packages.markInProgress(packageId, at());
    await table.packages.recordConfirmation(
      packageId,
      { status: 'IN_PROGRESS', workflowStatus: 'SHARED' },
      at(),
    );
    await table.finishes.claimFinish(
      { packageId, signer: 'a@b.c' },
      { leaseId: 'l', leaseUntil: Date.now() + 9_000 },
      at(),
    );
    await pump.drain();
    expect(eventsFor(packageId)).toEqual([]);
  });

  it('loses nothing and repeats nothing while EventBridge refuses for a while', async () => {
    const first = newPackage();
    const second = newPackage();
    await table.packages.recordConfirmation(
      first,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      at(),
    );
    await table.packages.recordConfirmation(
      second,
      { status: 'DECLINED', workflowStatus: 'DECLINED' },
      at(),
    );
    eventBridge.failNext(3);

    await pump.drain();

    expect(eventsFor(first)).toHaveLength(1);
    expect(eventsFor(second)).toHaveLength(1);
    const order = eventBridge.events.map(
      (event) => (event.detail as { packageId: number }).packageId,
    );
    expect(order.indexOf(first)).toBeLessThan(order.indexOf(second));
  });
});
