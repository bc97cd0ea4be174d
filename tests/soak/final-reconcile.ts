import { setTimeout as delay } from 'node:timers/promises';
import { silentLog } from '../../lib/logger.ts';
import { NO_METRICS } from '../../lib/metrics.ts';
import {
  type ReconcileSummary,
  reconcilePackages,
} from '../../lib/reconcile/reconcile-packages.ts';
import { SigningHubClient } from '../../lib/signinghub/signinghub-client.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { SoakStack } from './soak-stack.ts';

/**
 * The last word, as a late scheduled run would have it: every open package of every tenant,
 * however recent, each confirmed with its own tenant's SigningHub.
 */
export const reconcileEveryPackage = async (stack: SoakStack): Promise<ReconcileSummary[]> => {
  const passes: ReconcileSummary[] = [];
  const table = new DynamoDbTable(stack.client, stack.tableName);
  for (const [tenant, access] of stack.access) {
    const deps = {
      packages: new DynamoDbPackageStore(table, tenant),
      signingHub: new SigningHubClient({ timeoutMs: 2_000, access: async () => access }),
      now: () => new Date(),
      metrics: NO_METRICS,
    };
    for (let run = 0; run < 20; run += 1) {
      const summary = await reconcilePackages(
        deps,
        { afterSeconds: 0, maxPackages: 100_000, pageSize: 100, concurrency: 5 },
        silentLog,
      );
      passes.push(summary);
      if (!summary.more && summary.unconfirmed === 0) break;
      await delay(500);
    }
  }
  return passes;
};
