// The metrics the stack watches, as CloudWatch names them: AWS's own for the queues, the functions
// and the HTTP API, and the functions' own from lib/metrics-catalogue.ts. The alarms
// (infra/alarm-definitions.cjs) and the dashboard (infra/dashboard.cjs) take each metric from here,
// so that both read the same figures and a misspelt name fails `npm run typecheck`.
const {
  COLD_START_METRIC,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
} = require('../lib/metrics-catalogue.ts');

/** @typedef {import('../lib/metrics-catalogue.ts').MetricName} CustomMetricName */
/** @typedef {'ApproximateNumberOfMessagesVisible' | 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateAgeOfOldestMessage'} QueueMetricName */
/** @typedef {'Errors' | 'Throttles' | 'Duration' | 'IteratorAge' | 'ConcurrentExecutions'} FunctionMetricName */

/**
 * A resource of the stack, as CloudFormation refers to it: its Ref, or one of its attributes.
 * @typedef {{ Ref: string } | { 'Fn::GetAtt': [string, string] }} StackReference
 */

/** @typedef {{ Name: string, Value: string | StackReference }} Dimension */

/**
 * One metric: what an alarm reads and a dashboard graph draws.
 * @typedef {{ namespace: string, name: string, dimensions: Dimension[] }} Metric
 */

/**
 * A function by its key in serverless.yml, with the logical id the framework gives it.
 * @param {string} key
 */
const lambdaFunction = (key) => ({
  key,
  logicalId: `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`,
});

/**
 * The functions of a packaging: the four of every stack, and archive while archiveDocuments is
 * true (infra/archive-switch.cjs leaves it out otherwise).
 * @param {{ readonly archive: { readonly enabled: boolean } }} settings
 */
const stackFunctions = (settings) => [
  ...['finish', 'callback', 'reconcile', 'publish'].map(lambdaFunction),
  ...(settings.archive.enabled ? [lambdaFunction('archive')] : []),
];

/**
 * @param {string} queueLogicalId
 * @param {QueueMetricName} name
 * @returns {Metric}
 */
const queueMetric = (queueLogicalId, name) => ({
  namespace: 'AWS/SQS',
  name,
  dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLogicalId, 'QueueName'] } }],
});

/**
 * @param {string} functionLogicalId
 * @param {FunctionMetricName} name
 * @returns {Metric}
 */
const functionMetric = (functionLogicalId, name) => ({
  namespace: 'AWS/Lambda',
  name,
  dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId } }],
});

/**
 * The HTTP API's 5xx answers. HTTP APIs publish by ApiId and by ApiId and Stage; the framework's
 * one stage is $default.
 * @type {Metric}
 */
const HTTP_API_5XX = {
  namespace: 'AWS/ApiGateway',
  name: '5xx',
  dimensions: [
    { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
    { Name: 'Stage', Value: '$default' },
  ],
};

/**
 * One of the functions' own metrics, under the service name they write it with.
 * @param {string} metricsService the functions' POWERTOOLS_SERVICE_NAME
 * @param {CustomMetricName} name
 * @returns {Metric}
 */
const customMetric = (metricsService, name) => ({
  namespace: METRICS_NAMESPACE,
  name,
  dimensions: [{ Name: SERVICE_DIMENSION, Value: metricsService }],
});

/**
 * A CloudWatch search for the cold starts of every function of the service: Powertools gives
 * ColdStart a function_name dimension beside `service`, so no one metric has them all.
 * @param {string} metricsService
 */
const coldStartSearch = (metricsService) =>
  `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${COLD_START_METRIC}" ${SERVICE_DIMENSION}="${metricsService}"', 'Sum', 300)`;

module.exports = {
  HTTP_API_5XX,
  coldStartSearch,
  customMetric,
  functionMetric,
  queueMetric,
  stackFunctions,
};
