// Every alarm of the stack (issue 12): what it reads, when it fires and what its notice tells the
// operator. infra/alarms.cjs makes them and their topic; infra/dashboard.cjs shows their state.
const { archiveAlarms } = require('./archive-alarms.cjs');
const {
  HTTP_API_5XX,
  customMetric,
  functionMetric,
  queueMetric,
  stackFunctions,
} = require('./watched-metrics.cjs');

/**
 * One alarm. `okAction`: whether its return to OK is worth a notification, which is so wherever
 * OK means the problem is over.
 * @typedef {{
 *   id: string,
 *   name: string,
 *   description: string,
 *   metric: import('./watched-metrics.cjs').Metric,
 *   statistic: 'Sum' | 'Maximum',
 *   threshold: number,
 *   period: number,
 *   evaluationPeriods?: number,
 *   okAction: boolean,
 * }} AlarmDefinition
 */

/**
 * Every alarm: its logical id, the suffix of its name, what it reads and when it fires, and the
 * text an operator receives (AlarmDescription: what it means and what to do).
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @returns {AlarmDefinition[]}
 */
const alarmDefinitions = (settings) => {
  const { stage } = settings;
  const status = `npm run status -- --stage ${stage} --region \${AWS::Region}`;
  /** @type {AlarmDefinition[]} */
  const functionAlarms = stackFunctions(settings).flatMap(({ key, logicalId }) => [
    {
      id: `${logicalId.replace('LambdaFunction', '')}ErrorsAlarm`,
      name: `${key}-errors`,
      description: `The ${key} function failed (Lambda Errors): a crash, a timeout or a start stopped by a bad setting; its answers to expected failures are not errors. Read its log group /aws/lambda/${settings.stackName}-${key}. OK when no error came for a period.`,
      metric: functionMetric(logicalId, 'Errors'),
      statistic: 'Sum',
      threshold: settings.functionErrorsAlarmThreshold,
      period: settings.functionAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: `${logicalId.replace('LambdaFunction', '')}ThrottlesAlarm`,
      name: `${key}-throttles`,
      description: `Lambda throttled the ${key} function: the account's (or region's) concurrency is used up${key === 'finish' ? '; the queue mapping never asks for more than its maximum concurrency, and a throttled batch goes back to the queue with a receive counted, so valid events can dead-letter' : ''}. Look at the account's ConcurrentExecutions and other functions' reserved concurrency; ask for a higher limit. OK when no throttle came for a period.`,
      metric: functionMetric(logicalId, 'Throttles'),
      statistic: 'Sum',
      threshold: settings.functionThrottlesAlarmThreshold,
      period: settings.functionAlarmPeriodSeconds,
      okAction: true,
    },
  ]);
  return [
    {
      id: 'SigningEventsDeadLetterAlarm',
      name: 'signing-events-dead-letters',
      description: `Signing events are in the signing events' dead-letter queue: each was received five times without settling, so its signer's finish may not have reached SigningHub. See why with ${status} (each finish item's lastError) and the finish log; fix the cause (SigningHub down, credentials, a bug), then npm run redrive -- --stage ${stage}. OK when the queue is empty again.`,
      metric: queueMetric('SigningEventsDeadLetterQueue', 'ApproximateNumberOfMessagesVisible'),
      statistic: 'Maximum',
      threshold: settings.deadLetterAlarmThreshold,
      period: settings.deadLetterAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'CompletionEventsDeadLetterAlarm',
      name: 'completion-events-dead-letters',
      description: `Stream records are in the completion events' dead-letter queue: a package became final but its completion event was refused through every retry. Fix the event bus (its name, its policy, publish's permissions), read the package ids from the messages, then npm run republish -- <packageId> --stage ${stage} for each and delete the message. OK when the queue is empty again.`,
      metric: queueMetric('CompletionEventsDeadLetterQueue', 'ApproximateNumberOfMessagesVisible'),
      statistic: 'Maximum',
      threshold: settings.deadLetterAlarmThreshold,
      period: settings.deadLetterAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'SigningQueueAgeAlarm',
      name: 'signing-queue-age',
      description: `The oldest signing event on the queue has waited more than ${settings.signingQueueAgeAlarmSeconds} s: finishes are falling behind. On the dashboard: a backlog the maximum concurrency (${settings.signingHubMaxConcurrency}) cannot drain, SigningHub answering 5xx or not at all, or finish erroring. ${status} shows the retrying finishes. OK when the queue has caught up.`,
      metric: queueMetric('SigningEventsQueue', 'ApproximateAgeOfOldestMessage'),
      statistic: 'Maximum',
      threshold: settings.signingQueueAgeAlarmSeconds,
      period: settings.signingQueueAgeAlarmPeriodSeconds,
      evaluationPeriods: settings.signingQueueAgeAlarmEvaluationPeriods,
      okAction: true,
    },
    ...functionAlarms,
    {
      id: 'PublishIteratorAgeAlarm',
      name: 'publish-iterator-age',
      description: `Completion events are more than ${settings.publishIteratorAgeAlarmSeconds} s late: publish is retrying a stream batch (the bus refusing, publish failing or throttled) and holds back the records behind it. Read the publish log; what still fails after 20 retries goes to the completion events' dead-letter queue. OK when publish has caught up.`,
      metric: functionMetric('PublishLambdaFunction', 'IteratorAge'),
      statistic: 'Maximum',
      threshold: settings.publishIteratorAgeAlarmSeconds * 1000,
      period: settings.publishIteratorAgeAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'Callback5xxAlarm',
      name: 'callback-5xx',
      description: `The callback URL answered SigningHub with 5xx: the callback could not record the call (DynamoDB, the callback secret unreadable) or the function failed, timed out or was throttled. Read the callback log. SigningHub may not call again; reconcile confirms those packages within its rate. OK when no 5xx came for a period.`,
      metric: HTTP_API_5XX,
      statistic: 'Sum',
      threshold: settings.callback5xxAlarmThreshold,
      period: settings.callback5xxAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'CallbackUnauthorisedAlarm',
      name: 'callback-unauthorised',
      description: `The callback answered 401 (a wrong or missing secret) ${settings.callbackUnauthorisedAlarmThreshold} times or more in ${settings.callbackUnauthorisedAlarmPeriodSeconds} s. SigningHub never sends a wrong secret, so either someone is probing the URL (the secret is not guessable; the HTTP API's throttling bounds the cost) or the secret was rotated without updating SigningHub's settings, and SigningHub's own callbacks are refused. Compare the secret with SigningHub's Workflow Completion Report URL. OK when the 401s stopped.`,
      metric: customMetric(settings.metricsService, 'CallbackUnauthorised'),
      statistic: 'Sum',
      threshold: settings.callbackUnauthorisedAlarmThreshold,
      period: settings.callbackUnauthorisedAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'FinishFailedAlarm',
      name: 'finishes-failed',
      description: `SigningHub refused a finish for good (400, 403 or 404): that signer's part of the workflow will not continue without a person. ${status} lists the FAILED finish items with SigningHub's message (lastError). No OK notice: each failure stays to be handled.`,
      metric: customMetric(settings.metricsService, 'FinishFailed'),
      statistic: 'Sum',
      threshold: settings.finishFailedAlarmThreshold,
      period: settings.finishFailedAlarmPeriodSeconds,
      okAction: false,
    },
    {
      id: 'ClientCertificateExpiringAlarm',
      name: 'client-certificate-expiring',
      description: `A tenant's client certificate expires within 30 days: once it has, that tenant's SigningHub host refuses the handshake and its finishes and confirmations stop. It is counted at each read of the tenant's secret; the function's log line at that read names the tenant and the expiry (never the certificate). Put the renewed certificate and key in the tenant's secret (no deploy needed; read again within the cache's max age) and register it with the host. No OK notice: an hour without a read says nothing of the certificate; the alarm comes back while it is still read.`,
      metric: customMetric(settings.metricsService, 'ClientCertificateExpiring'),
      statistic: 'Sum',
      // One expiring certificate is one too many; reads come with the secret cache's max age, so
      // an hour holds one whenever the tenant has work.
      threshold: 1,
      period: 3600,
      okAction: false,
    },
    ...archiveAlarms(settings),
  ];
};

module.exports = { alarmDefinitions };
