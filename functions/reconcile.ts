import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createDynamoDbTable, lazySecretsManager } from '../lib/aws/clients.ts';
import { loadReconcileConfig } from '../lib/config.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { metricsTo } from '../lib/metrics.ts';
import {
  type ReconcileTenantsSummary,
  reconcileTenants,
} from '../lib/reconcile/reconcile-tenants.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { SYSTEM } from '../lib/system.ts';
import { instanceCircuits } from '../lib/tenants/circuit-breaker.ts';
import { functionTenantDirectory, reconcileTenant } from '../lib/tenants/tenant-sides.ts';
import { handlerPowertools } from './powertools.ts';

const { log, emf, lambdaContext, flushMetrics } = handlerPowertools();
const metrics = metricsTo(emf);
const config = loadReconcileConfig(process.env);
const table = createDynamoDbTable(config);
const registry = new DynamoDbTenantRegistry(table);
const prefix = config.tenantsSecretPrefix;
// Unset TENANTS_SECRET_PREFIX: `default` alone, and no tenant secret is ever read.
const directory = functionTenantDirectory(
  config,
  signingHubClientFrom(config.signingHub, lazySecretsManager, metrics, { log }),
  { metrics, log },
);
const deps = {
  tenants: prefix === undefined ? undefined : () => registry.tenants(),
  open: reconcileTenant({
    table,
    directory,
    now: SYSTEM.now,
    metrics,
    // A tenant whose host is down costs a few timeouts, not one per package.
    circuits: instanceCircuits(prefix),
  }),
  metrics,
};

const reconcile = async (
  _event: ScheduledEvent,
  context: Context,
  { signal }: { signal: AbortSignal },
): Promise<ReconcileTenantsSummary> => {
  const budget = createInvocationBudget(context.getRemainingTimeInMillis(), signal);
  return reconcileTenants(
    deps,
    {
      afterSeconds: config.reconcileAfterSeconds,
      maxPackages: 200,
      pageSize: 50,
      concurrency: 5,
      tenantConcurrency: 4,
      signal: budget.signal,
    },
    log,
  );
};

export const handler = middy<ScheduledEvent, ReconcileTenantsSummary>({
  timeoutEarlyInMillis: ANSWER_EARLY_MS,
})
  .use(lambdaContext)
  .use(flushMetrics)
  .handler(reconcile);
