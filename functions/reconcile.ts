import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createDynamoDbTable, lazySecretsManager } from '../lib/aws/clients.ts';
import { loadReconcileConfig } from '../lib/config.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { fromPowertools } from '../lib/logger.ts';
import { METRICS_NAMESPACE, metricsTo, metricsWarningsTo } from '../lib/metrics.ts';
import {
  type ReconcileTenantsSummary,
  reconcileTenants,
} from '../lib/reconcile/reconcile-tenants.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { SYSTEM } from '../lib/system.ts';
import { DEFAULT_CIRCUIT_OPTIONS, TenantCircuits } from '../lib/tenants/circuit-breaker.ts';
import { functionTenantDirectory, reconcileTenant } from '../lib/tenants/tenant-sides.ts';

// Its service is POWERTOOLS_SERVICE_NAME, the metrics' dimension: one name per stage for both.
const logger = new Logger();
const log = fromPowertools(logger);
// EMF in SigningHubFinish; its one dimension, service, is POWERTOOLS_SERVICE_NAME.
const emf = new Metrics({ namespace: METRICS_NAMESPACE, logger: metricsWarningsTo(log) });
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
    // Module scope: a tenant whose host is down costs a few timeouts, not one per package.
    circuits:
      prefix === undefined
        ? undefined
        : new TenantCircuits({ ...DEFAULT_CIRCUIT_OPTIONS, now: Date.now }),
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
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(emf, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
  .handler(reconcile);
