import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadPublisherConfig } from '../lib/config.ts';
import { publishCompletionEvents } from '../lib/events/completion-events.ts';
import { fromPowertools } from '../lib/logger.ts';

const logger = new Logger({ serviceName: 'signinghub-finish' });
const config = loadPublisherConfig(process.env);
const eventBridge = new EventBridgeClient({});
const log = fromPowertools(logger);

const publish = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { failedAt } = await publishCompletionEvents(
    event.Records,
    { eventBridge, busName: config.eventBusName },
    log,
  );
  return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { logEvent: false }))
  .handler(publish);
