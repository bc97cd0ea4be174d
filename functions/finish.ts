import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDynamoDbTable } from '../lib/aws/clients.ts';
import { loadFinishConfig } from '../lib/config.ts';
import {
  type BatchDependencies,
  processSigningBatch,
} from '../lib/finish/process-signing-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../lib/finish/retry-policy.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { fromPowertools } from '../lib/logger.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbFinishStore } from '../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { DynamoDbRejectedStore } from '../lib/store/dynamodb-rejected-store.ts';
import { SYSTEM } from '../lib/system.ts';

const logger = new Logger({ serviceName: 'signinghub-finish' });
const config = loadFinishConfig(process.env);
const table = createDynamoDbTable(config);
const deps: BatchDependencies = {
  ...SYSTEM,
  finishes: new DynamoDbFinishStore(table),
  packages: new DynamoDbPackageStore(table),
  rejected: new DynamoDbRejectedStore(table),
  signingHub: signingHubClientFrom(config.signingHub),
  retryPolicy: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: config.signingHub.timeoutMs,
  log: fromPowertools(logger),
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
  const { batchItemFailures } = await processSigningBatch(messages, deps, budget);
  return { batchItemFailures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: ANSWER_EARLY_MS })
  .use(injectLambdaContext(logger, { logEvent: false }))
  .handler(finishSigningEvents);
