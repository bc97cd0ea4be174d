// @ts-nocheck (until this file is typed: infra/ is type-checked, tsconfig.json checkJs)
// What the stack watches (issue 12): the monitoring parameters, checked while `serverless package`
// resolves them, and one definition per alarm. infra/alarms.cjs turns the definitions into the
// alarms and their topic, infra/dashboard.cjs draws the same figures; README's alarm table says
// why each default is what it is.

/** The four functions, by their key in serverless.yml, as the framework names their resources. */
const FUNCTIONS = ['finish', 'callback', 'reconcile', 'publish'].map((key) => ({
  key,
  logicalId: `${key[0].toUpperCase()}${key.slice(1)}LambdaFunction`,
}));

/** The namespace of the functions' embedded-metric-format lines (lib/metrics.ts). */
const METRICS_NAMESPACE = 'SigningHubFinish';

/** What the numeric parameters may be: whole numbers in [min, max]. */
const NUMBERS = {
  signingHubMaxConcurrency: [2, 1000], // the range of ScalingConfig.MaximumConcurrency
  deadLetterAlarmThreshold: [1, 1_000_000],
  deadLetterAlarmPeriodSeconds: [60, 86_400],
  signingQueueAgeAlarmSeconds: [60, 1_209_600],
  signingQueueAgeAlarmPeriodSeconds: [60, 86_400],
  signingQueueAgeAlarmEvaluationPeriods: [1, 1_440],
  functionErrorsAlarmThreshold: [1, 1_000_000],
  functionThrottlesAlarmThreshold: [1, 1_000_000],
  functionAlarmPeriodSeconds: [60, 86_400],
  publishIteratorAgeAlarmSeconds: [1, 604_800],
  publishIteratorAgeAlarmPeriodSeconds: [60, 86_400],
  callback5xxAlarmThreshold: [1, 1_000_000],
  callback5xxAlarmPeriodSeconds: [60, 86_400],
  callbackUnauthorisedAlarmThreshold: [1, 1_000_000],
  callbackUnauthorisedAlarmPeriodSeconds: [60, 86_400],
  finishFailedAlarmThreshold: [1, 1_000_000],
  finishFailedAlarmPeriodSeconds: [60, 86_400],
};

const wholeNumber = (name, value) => {
  const [min, max] = NUMBERS[name];
  const number = typeof value === 'number' ? value : Number(String(value).trim());
  if (value === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new Error(
      `the parameter ${name} must be a whole number from ${min} to ${max}, not "${value}"`,
    );
  }
  // CloudWatch takes periods of 10, 30 or any multiple of 60 seconds; these metrics come by minute.
  if (name.endsWith('PeriodSeconds') && number % 60 !== 0) {
    throw new Error(`the parameter ${name} must be a multiple of 60 seconds, not ${number}`);
  }
  return number;
};

/**
 * The monitoring parameters of this packaging, checked. The `service` dimension of the custom
 * metrics is read from the functions' own POWERTOOLS_SERVICE_NAME, so the alarms read what the
 * functions write.
 */
const readSettings = async (resolveVariable) => {
  const settings = {
    stackName: `${await resolveVariable('self:service')}-${await resolveVariable('sls:stage')}`,
    stage: await resolveVariable('sls:stage'),
    metricsService: await resolveVariable('self:provider.environment.POWERTOOLS_SERVICE_NAME'),
    alarmEmail: String((await resolveVariable('param:alarmEmail')) ?? '').trim(),
    alarmTopicArn: String((await resolveVariable('param:alarmTopicArn')) ?? '').trim(),
  };
  for (const name of Object.keys(NUMBERS)) {
    settings[name] = wholeNumber(name, await resolveVariable(`param:${name}`));
  }
  const ageWindow =
    settings.signingQueueAgeAlarmPeriodSeconds * settings.signingQueueAgeAlarmEvaluationPeriods;
  if (ageWindow > 86_400) {
    throw new Error(
      `the signing queue age alarm evaluates ${ageWindow} s; CloudWatch allows a day`,
    );
  }
  return settings;
};

const sqsQueue = (queueLogicalId) => ({
  namespace: 'AWS/SQS',
  dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLogicalId, 'QueueName'] } }],
});
const lambdaFunction = (functionLogicalId) => ({
  namespace: 'AWS/Lambda',
  dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId } }],
});
const customMetric = (settings) => ({
  namespace: METRICS_NAMESPACE,
  dimensions: [{ Name: 'service', Value: settings.metricsService }],
});

/**
 * Every alarm: its logical id, the suffix of its name, what it reads and when it fires, and the
 * text an operator receives (AlarmDescription: what it means and what to do). `okAction`: whether
 * its return to OK is worth a notification, which is so wherever OK means the problem is over.
 */
const alarmDefinitions = (settings) => {
  const { stage } = settings;
  const status = `npm run status -- --stage ${stage} --region \${AWS::Region}`;
  const functionAlarms = FUNCTIONS.flatMap(({ key, logicalId }) => [
    {
      id: `${logicalId.replace('LambdaFunction', '')}ErrorsAlarm`,
      name: `${key}-errors`,
      description: `The ${key} function failed (Lambda Errors): a crash, a timeout or a start stopped by a bad setting; its answers to expected failures are not errors. Read its log group /aws/lambda/${settings.stackName}-${key}. OK when no error came for a period.`,
      ...lambdaFunction(logicalId),
      metricName: 'Errors',
      statistic: 'Sum',
      threshold: settings.functionErrorsAlarmThreshold,
      period: settings.functionAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: `${logicalId.replace('LambdaFunction', '')}ThrottlesAlarm`,
      name: `${key}-throttles`,
      description: `Lambda throttled the ${key} function: the account's (or region's) concurrency is used up${key === 'finish' ? '; the queue mapping never asks for more than its maximum concurrency, and a throttled batch goes back to the queue with a receive counted, so valid events can dead-letter' : ''}. Look at the account's ConcurrentExecutions and other functions' reserved concurrency; ask for a higher limit. OK when no throttle came for a period.`,
      ...lambdaFunction(logicalId),
      metricName: 'Throttles',
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
      ...sqsQueue('SigningEventsDeadLetterQueue'),
      metricName: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      threshold: settings.deadLetterAlarmThreshold,
      period: settings.deadLetterAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'CompletionEventsDeadLetterAlarm',
      name: 'completion-events-dead-letters',
      description: `Stream records are in the completion events' dead-letter queue: a package became final but its completion event was refused through every retry. Fix the event bus (its name, its policy, publish's permissions), read the package ids from the messages, then npm run republish -- <packageId> --stage ${stage} for each and delete the message. OK when the queue is empty again.`,
      ...sqsQueue('CompletionEventsDeadLetterQueue'),
      metricName: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      threshold: settings.deadLetterAlarmThreshold,
      period: settings.deadLetterAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'SigningQueueAgeAlarm',
      name: 'signing-queue-age',
      description: `The oldest signing event on the queue has waited more than ${settings.signingQueueAgeAlarmSeconds} s: finishes are falling behind. On the dashboard: a backlog the maximum concurrency (${settings.signingHubMaxConcurrency}) cannot drain, SigningHub answering 5xx or not at all, or finish erroring. ${status} shows the retrying finishes. OK when the queue has caught up.`,
      ...sqsQueue('SigningEventsQueue'),
      metricName: 'ApproximateAgeOfOldestMessage',
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
      ...lambdaFunction('PublishLambdaFunction'),
      metricName: 'IteratorAge',
      statistic: 'Maximum',
      threshold: settings.publishIteratorAgeAlarmSeconds * 1000,
      period: settings.publishIteratorAgeAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'Callback5xxAlarm',
      name: 'callback-5xx',
      description: `The callback URL answered SigningHub with 5xx: the callback could not record the call (DynamoDB, the callback secret unreadable) or the function failed, timed out or was throttled. Read the callback log. SigningHub may not call again; reconcile confirms those packages within its rate. OK when no 5xx came for a period.`,
      namespace: 'AWS/ApiGateway',
      // HTTP APIs publish by ApiId and by ApiId and Stage; the framework's one stage is $default.
      dimensions: [
        { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
        { Name: 'Stage', Value: '$default' },
      ],
      metricName: '5xx',
      statistic: 'Sum',
      threshold: settings.callback5xxAlarmThreshold,
      period: settings.callback5xxAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'CallbackUnauthorisedAlarm',
      name: 'callback-unauthorised',
      description: `The callback answered 401 (a wrong or missing secret) ${settings.callbackUnauthorisedAlarmThreshold} times or more in ${settings.callbackUnauthorisedAlarmPeriodSeconds} s. SigningHub never sends a wrong secret, so either someone is probing the URL (the secret is not guessable; the HTTP API's throttling bounds the cost) or the secret was rotated without updating SigningHub's settings, and SigningHub's own callbacks are refused. Compare the secret with SigningHub's Workflow Completion Report URL. OK when the 401s stopped.`,
      ...customMetric(settings),
      metricName: 'CallbackUnauthorised',
      statistic: 'Sum',
      threshold: settings.callbackUnauthorisedAlarmThreshold,
      period: settings.callbackUnauthorisedAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'FinishFailedAlarm',
      name: 'finishes-failed',
      description: `SigningHub refused a finish for good (400, 403 or 404): that signer's part of the workflow will not continue without a person. ${status} lists the FAILED finish items with SigningHub's message (lastError). No OK notice: each failure stays to be handled.`,
      ...customMetric(settings),
      metricName: 'FinishFailed',
      statistic: 'Sum',
      threshold: settings.finishFailedAlarmThreshold,
      period: settings.finishFailedAlarmPeriodSeconds,
      okAction: false,
    },
  ];
};

module.exports = { FUNCTIONS, METRICS_NAMESPACE, readSettings, alarmDefinitions };
