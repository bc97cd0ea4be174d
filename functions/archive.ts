import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadArchiveConfig } from '../lib/archive/archive-config.ts';
import { archiveMetricsTo } from '../lib/archive/archive-metrics.ts';
import {
  type ArchiveBatchDependencies,
  processArchiveBatch,
} from '../lib/archive/process-archive-batch.ts';
import { createS3Client, S3ArchiveBucket } from '../lib/archive/s3-archive-bucket.ts';
import { createDynamoDbTable, lazySecretsManager } from '../lib/aws/clients.ts';
import { DEFAULT_RETRY_POLICY } from '../lib/finish/retry-policy.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbRejectedStore } from '../lib/store/dynamodb-rejected-store.ts';
import { SYSTEM } from '../lib/system.ts';
import { instanceCircuits } from '../lib/tenants/circuit-breaker.ts';
import { archiveTenants, functionTenantDirectory } from '../lib/tenants/tenant-sides.ts';
import { handlerPowertools } from './powertools.ts';

const { log, emf, lambdaContext, flushMetrics } = handlerPowertools();
const metrics = archiveMetricsTo(emf);
const config = loadArchiveConfig(process.env);
const table = createDynamoDbTable(config);
const signingHub = signingHubClientFrom(config.signingHub, lazySecretsManager, metrics, { log });
const deps: ArchiveBatchDependencies = {
  ...SYSTEM,
  bucket: new S3ArchiveBucket(createS3Client(config.s3Endpoint), config.archiveBucket),
  rejected: new DynamoDbRejectedStore(table),
  tenants: archiveTenants({
    table,
    directory: functionTenantDirectory(config, signingHub, { metrics, log }),
    circuits: instanceCircuits(config.tenantsSecretPrefix),
  }),
  retryPolicy: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: config.signingHub.timeoutMs,
  metrics,
  log,
};

const archiveDocuments = async (
  event: SQSEvent,
  context: Context,
  { signal }: { signal: AbortSignal },
): Promise<SQSBatchResponse> => {
  const messages = event.Records.map(({ messageId, body }) => ({ messageId, body }));
  const budget = createInvocationBudget(context.getRemainingTimeInMillis(), signal);
  return processArchiveBatch(messages, deps, budget);
};

export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: ANSWER_EARLY_MS })
  .use(lambdaContext)
  .use(flushMetrics)
  .handler(archiveDocuments);
