import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { silentLog } from '../../lib/logger.ts';
import { NO_METRICS } from '../../lib/metrics.ts';
import { reconcilePackages } from '../../lib/reconcile/reconcile-packages.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import { scheduledEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { startFunctionStack } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';
import { clientOf } from '../support/signinghub-fake.ts';
import { itemAt } from '../support/table-items.ts';

const { stack } = await startForFile(() =>
  startFunctionStack('reconcile', { RECONCILE_AFTER_SECONDS: '900' }),
);
const nextPackageId = packageIds(8_000);

/** A package IN_PROGRESS in the table whose last change was `ageSeconds` ago, COMPLETED at SigningHub. */
const openPackage = async (ageSeconds: number, workflowStatus = 'COMPLETED') => {
  const packageId = nextPackageId();
  stack.simulator.createPackage(packageId, ['alice@example.com']);
  stack.simulator.setWorkflowStatus(packageId, workflowStatus);
  await stack.table.packages.markInProgress(packageId, new Date(Date.now() - ageSeconds * 1000));
  return packageId;
};
const statusOf = async (packageId: number) =>
  (await itemAt(stack.table, `PACKAGE#${packageId}`, 'PACKAGE'))?.status;

describe('reconcile', () => {
  it('confirms a package whose callback was lost and leaves young ones alone', async () => {
    const lost = await openPackage(3_600);
    const declined = await openPackage(1_000, 'DECLINED');
    const stillOpen = await openPackage(2_000, 'IN_PROGRESS');
    const young = await openPackage(60);

    const summary = await stack.module.handler(scheduledEvent(), lambdaContext(120_000));

    expect(await statusOf(lost)).toBe('COMPLETED');
    expect(await statusOf(declined)).toBe('DECLINED');
    expect(await statusOf(stillOpen)).toBe('IN_PROGRESS');
    expect(await statusOf(young)).toBe('IN_PROGRESS');
    expect(stack.simulator.count('workflow', young)).toBe(0);
    expect(summary).toMatchObject({ checked: 3, final: 2, stillInProgress: 1, unconfirmed: 0 });
  });

  it('waits RECONCILE_AFTER_SECONDS again before asking about a package that is still open', async () => {
    const open = await openPackage(2_000, 'IN_PROGRESS');
    await stack.module.handler(scheduledEvent(), lambdaContext(120_000));
    await stack.module.handler(scheduledEvent(), lambdaContext(120_000));
    expect(stack.simulator.count('workflow', open)).toBe(1);
  });

  it('stops at its per-run limit and picks up the rest on the next run, oldest first', async () => {
    const ids = [];
    for (let age = 20_000; age > 10_000; age -= 1_000) ids.push(await openPackage(age));
    const deps = {
      packages: stack.table.packages,
      now: () => new Date(),
      metrics: NO_METRICS,
      signingHub: clientOf(stack.simulator.url, { timeoutMs: 1_000 }),
    };
    const options = { afterSeconds: 900, maxPackages: 4, pageSize: 3, concurrency: 2 };

    const first = await reconcilePackages(deps, options, silentLog);

    expect(first).toMatchObject({ checked: 4, more: true });
    expect(await Promise.all(ids.slice(0, 4).map(statusOf))).toEqual(Array(4).fill('COMPLETED'));
    expect(await statusOf(ids[4] ?? 0)).toBe('IN_PROGRESS');
    await reconcilePackages(deps, { ...options, maxPackages: 100 }, silentLog);
    expect(await Promise.all(ids.map(statusOf))).toEqual(Array(ids.length).fill('COMPLETED'));
  });

  it('counts a package SigningHub could not confirm and leaves it open', async () => {
    const down = await openPackage(5_000);
    stack.simulator.script(down, 'workflow', { status: 500 });
    const summary = await stack.module.handler(scheduledEvent(), lambdaContext(120_000));
    expect(summary).toMatchObject({ unconfirmed: 1 });
    expect(await statusOf(down)).toBe('IN_PROGRESS');
  });

  it('goes through default alone without TENANTS_SECRET_PREFIX, whatever tenants the registry names', async () => {
    await new DynamoDbTenantRegistry(stack.table.table).register('stray');
    const summary = await stack.module.handler(scheduledEvent(), lambdaContext(120_000));
    expect(summary).toMatchObject({ tenants: 1, skipped: [] });
  });
});
