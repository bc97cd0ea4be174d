import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadPublisherConfig } from '../lib/config.ts';
import { publishStackEvents } from '../lib/events/completion-events.ts';
import { fromPowertools } from '../lib/logger.ts';
import { METRICS_NAMESPACE, metricsTo, metricsWarningsTo } from '../lib/metrics.ts';

// Its service is POWERTOOLS_SERVICE_NAME, the metrics' dimension: one name per stage for both.
const logger = new Logger();
const log = fromPowertools(logger);
// EMF in SigningHubFinish; its one dimension, service, is POWERTOOLS_SERVICE_NAME.
const emf = new Metrics({ namespace: METRICS_NAMESPACE, logger: metricsWarningsTo(log) });
const metrics = metricsTo(emf);
const config = loadPublisherConfig(process.env);
const eventBridge = new EventBridgeClient({});

const publish = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { failedAt } = await publishStackEvents(
    event.Records,
    { eventBridge, busName: config.eventBusName, metrics },
    log,
  );
  return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(emf, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
  .handler(publish);
