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
import { type ReconcileSummary, reconcilePackages } from '../lib/reconcile/reconcile-packages.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { SYSTEM } from '../lib/system.ts';

// Its service is POWERTOOLS_SERVICE_NAME, the metrics' dimension: one name per stage for both.
const logger = new Logger();
const log = fromPowertools(logger);
// EMF in SigningHubFinish; its one dimension, service, is POWERTOOLS_SERVICE_NAME.
const emf = new Metrics({ namespace: METRICS_NAMESPACE, logger: metricsWarningsTo(log) });
const metrics = metricsTo(emf);
const config = loadReconcileConfig(process.env);
const deps = {
  packages: new DynamoDbPackageStore(createDynamoDbTable(config)),
  signingHub: signingHubClientFrom(config.signingHub, lazySecretsManager, metrics),
  now: SYSTEM.now,
  metrics,
};

const reconcile = async (
  _event: ScheduledEvent,
  context: Context,
  { signal }: { signal: AbortSignal },
): Promise<ReconcileSummary> => {
  const budget = createInvocationBudget(context.getRemainingTimeInMillis(), signal);
  return reconcilePackages(
    deps,
    {
      afterSeconds: config.reconcileAfterSeconds,
      maxPackages: 200,
      pageSize: 50,
      concurrency: 5,
      signal: budget.signal,
    },
    log,
  );
};

export const handler = middy<ScheduledEvent, ReconcileSummary>({
  timeoutEarlyInMillis: ANSWER_EARLY_MS,
})
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(emf, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
  .handler(reconcile);
