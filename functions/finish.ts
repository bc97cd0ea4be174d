import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadFinishConfig } from '../lib/config.ts';
import { processSigningBatch } from '../lib/finish/process-signing-batch.ts';
import { ANSWER_EARLY_MS, createInvocationBudget } from '../lib/invocation-timeline.ts';
import { fromPowertools } from '../lib/logger.ts';
import { createRuntime } from '../lib/runtime.ts';

/** A batch is at most 10 messages (the queue's batch size): all of them at once. */
const FINISH_CONCURRENCY = 10;

const logger = new Logger({ serviceName: 'signinghub-finish' });
const runtime = createRuntime(loadFinishConfig(process.env));
const log = fromPowertools(logger);

const finishSigningEvents = async (
  event: SQSEvent,
  context: Context,
  { signal }: { signal: AbortSignal },
): Promise<SQSBatchResponse> => {
  const messages = event.Records.map(({ messageId, body }) => ({ messageId, body }));
  const budget = createInvocationBudget(context.getRemainingTimeInMillis(), signal);
  const { batchItemFailures } = await processSigningBatch(
    messages,
    { ...runtime, log, concurrency: FINISH_CONCURRENCY },
    budget,
  );
  return { batchItemFailures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: ANSWER_EARLY_MS })
  .use(injectLambdaContext(logger, { logEvent: false }))
  .handler(finishSigningEvents);
