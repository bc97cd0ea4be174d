import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDynamoDbTable, lazySecretsManager } from '../lib/aws/clients.ts';
import { handBackLaterThrough, lazySqs } from '../lib/aws/visibility.ts';
import { loadFinishFunctionConfig } from '../lib/config.ts';
import {
  type BatchDependencies,
  processSigningBatch,
} from '../lib/finish/process-signing-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../lib/finish/retry-policy.ts';
import { UnrecordedOutcomes } from '../lib/finish/unrecorded-outcomes.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { metricsTo } from '../lib/metrics.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbFinishStore } from '../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { DynamoDbRejectedStore } from '../lib/store/dynamodb-rejected-store.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { SYSTEM } from '../lib/system.ts';
import { instanceCircuits } from '../lib/tenants/circuit-breaker.ts';
import { finishTenants, functionTenantDirectory } from '../lib/tenants/tenant-sides.ts';
import { handlerPowertools } from './powertools.ts';

const { log, emf, lambdaContext, flushMetrics } = handlerPowertools();
const metrics = metricsTo(emf);
const config = loadFinishFunctionConfig(process.env);
const table = createDynamoDbTable(config);
const signingHub = signingHubClientFrom(config.signingHub, lazySecretsManager, metrics, { log });
// Tenants other than default, when TENANTS_SECRET_PREFIX names where their settings live.
const prefix = config.tenantsSecretPrefix;
const deps: BatchDependencies = {
  ...SYSTEM,
  finishes: new DynamoDbFinishStore(table),
  packages: new DynamoDbPackageStore(table),
  rejected: new DynamoDbRejectedStore(table),
  signingHub,
  ...(prefix === undefined
    ? {}
    : {
        tenants: finishTenants({
          table,
          registry: new DynamoDbTenantRegistry(table),
          directory: functionTenantDirectory(config, signingHub, { metrics, log }),
        }),
        circuits: instanceCircuits(prefix),
      }),
  retryPolicy: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: config.signingHub.timeoutMs,
  log,
  metrics,
  // Module scope: what this warm instance could not record outlives the invocation.
  keptOutcomes: new UnrecordedOutcomes(),
  // A batch is at most 10 messages (the queue's batch size): all of them at once.
  concurrency: 10,
};

const finishSigningEvents = async (
  event: SQSEvent,
  context: Context,
  { signal }: { signal: AbortSignal },
): Promise<SQSBatchResponse> => {
  const messages = event.Records.map(({ messageId, body }) => ({ messageId, body }));
  const budget = createInvocationBudget(context.getRemainingTimeInMillis(), signal);
  const queueUrl = config.signingEventsQueueUrl;
  const handBackLater = queueUrl && handBackLaterThrough(lazySqs, queueUrl, event.Records);
  const { batchItemFailures } = await processSigningBatch(
    messages,
    handBackLater ? { ...deps, handBackLater } : deps,
    budget,
  );
  return { batchItemFailures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: ANSWER_EARLY_MS })
  .use(lambdaContext)
  .use(flushMetrics)
  .handler(finishSigningEvents);
