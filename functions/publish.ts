import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FUNCTION_SDK_CONFIG } from '../lib/aws/sdk-config.ts';
import { loadPublisherConfig } from '../lib/config.ts';
import { publishStackEvents } from '../lib/events/completion-events.ts';
import { metricsTo } from '../lib/metrics.ts';
import { handlerPowertools } from './powertools.ts';

const { log, emf, lambdaContext, flushMetrics } = handlerPowertools();
const metrics = metricsTo(emf);
const config = loadPublisherConfig(process.env);
const eventBridge = new EventBridgeClient(FUNCTION_SDK_CONFIG);

const publish = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { failedAt } = await publishStackEvents(
    event.Records,
    { eventBridge, busName: config.eventBusName, metrics },
    log,
  );
  return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(lambdaContext)
  .use(flushMetrics)
  .handler(publish);
