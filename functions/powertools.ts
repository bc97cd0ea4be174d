import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { OperatorLogFormatter } from '../lib/log-format.ts';
import { fromPowertools } from '../lib/logger.ts';
import { METRICS_NAMESPACE, metricsWarningsTo } from '../lib/metrics.ts';

/**
 * What every handler builds once at load: Powertools' logger (its service is
 * POWERTOOLS_SERVICE_NAME, the metrics' dimension: one name per stage for both; its lines without
 * the fields every line of the stream repeats, the function's name but offline), EMF metrics in
 * SigningHubFinish, and the two middlewares every middy stack uses.
 */
export const handlerPowertools = () => {
  // Offline, functions share one output, so a line names its function; in Lambda its log group does.
  const logger = new Logger({
    logFormatter: new OperatorLogFormatter({ functionName: process.env.IS_OFFLINE === 'true' }),
  });
  const log = fromPowertools(logger);
  const emf = new Metrics({ namespace: METRICS_NAMESPACE, logger: metricsWarningsTo(log) });
  return {
    log,
    emf,
    // Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: a callback's path holds
    // its secret, and a signing event is the upstream's data.
    lambdaContext: injectLambdaContext(logger, { logEvent: false }),
    // Cold starts counted; an invocation that counted nothing writes no empty EMF line.
    flushMetrics: logMetrics(emf, { captureColdStartMetric: true, throwOnEmptyMetrics: false }),
  };
};
