import { describe, expect, it } from 'vitest';
import {
  METRICS_NAMESPACE,
  type MetricName,
  SERVICE_DIMENSION,
} from '../../lib/metrics-catalogue.ts';
import { alarmsOf, packagedTemplates, placeholder } from '../support/alarm-templates.ts';
import {
  type CfnResource,
  type CfnTemplate,
  resource,
  resourcesOfType,
} from '../support/cloudformation.ts';
import { packagingRefusal } from '../support/packaged-services.ts';

const templates = packagedTemplates(['default', 'alarmEmail', 'noArchive']);

const FUNCTIONS = ['Finish', 'Callback', 'Reconcile', 'Publish', 'Archive'] as const;

interface ExpectedAlarm {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly { Name: string; Value: unknown }[];
  readonly Statistic: 'Sum' | 'Maximum';
  readonly Threshold: number;
  readonly Period: number;
  readonly EvaluationPeriods: number;
}

/** CloudWatch's dimensions, from a record of name to value. */
const dimensions = (values: Record<string, unknown>) =>
  Object.entries(values).map(([Name, Value]) => ({ Name, Value }));

const queue = (logicalId: string) => ({
  Namespace: 'AWS/SQS',
  Dimensions: dimensions({ QueueName: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }),
});
const lambda = (name: (typeof FUNCTIONS)[number]) => ({
  Namespace: 'AWS/Lambda',
  Dimensions: dimensions({ FunctionName: { Ref: `${name}LambdaFunction` } }),
});
/** One of the functions' own metrics (lib/metrics-catalogue.ts), as stage `test` writes it. */
const custom = (metric: MetricName) => ({
  Namespace: METRICS_NAMESPACE,
  Dimensions: dimensions({ [SERVICE_DIMENSION]: 'signinghub-finish-test' }),
  MetricName: metric,
});

/** A dead-letter queue's alarm: a message there is one too many. */
const deadLetters = (logicalId: string): ExpectedAlarm => ({
  ...queue(logicalId),
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Statistic: 'Maximum',
  Threshold: 1,
  Period: 60,
  EvaluationPeriods: 1,
});

/** Every alarm of the default configuration (stage `test`), with the defaults of serverless.yml. */
const EXPECTED_ALARMS: Record<string, ExpectedAlarm> = {
  SigningEventsDeadLetterAlarm: deadLetters('SigningEventsDeadLetterQueue'),
  CompletionEventsDeadLetterAlarm: deadLetters('CompletionEventsDeadLetterQueue'),
  SigningQueueAgeAlarm: {
    ...queue('SigningEventsQueue'),
    MetricName: 'ApproximateAgeOfOldestMessage',
    Statistic: 'Maximum',
    Threshold: 900,
    Period: 60,
    EvaluationPeriods: 3,
  },
  ...Object.fromEntries(
    FUNCTIONS.flatMap((name) =>
      (['Errors', 'Throttles'] as const).map((metric) => [
        `${name}${metric}Alarm`,
        {
          ...lambda(name),
          MetricName: metric,
          Statistic: 'Sum',
          Threshold: 1,
          Period: 300,
          EvaluationPeriods: 1,
        } satisfies ExpectedAlarm,
      ]),
    ),
  ),
  PublishIteratorAgeAlarm: {
    ...lambda('Publish'),
    MetricName: 'IteratorAge',
    Statistic: 'Maximum',
    Threshold: 300_000,
    Period: 60,
    EvaluationPeriods: 1,
  },
  Callback5xxAlarm: {
    Namespace: 'AWS/ApiGateway',
    Dimensions: dimensions({ ApiId: { Ref: 'HttpApi' }, Stage: '$default' }),
    MetricName: '5xx',
    Statistic: 'Sum',
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 1,
  },
  CallbackUnauthorisedAlarm: {
    ...custom('CallbackUnauthorised'),
    Statistic: 'Sum',
    Threshold: 10,
    Period: 300,
    EvaluationPeriods: 1,
  },
  FinishFailedAlarm: {
    ...custom('FinishFailed'),
    Statistic: 'Sum',
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 1,
  },
  // Any read of a client certificate that expires within 30 days, in an hour.
  ClientCertificateExpiringAlarm: {
    ...custom('ClientCertificateExpiring'),
    Statistic: 'Sum',
    Threshold: 1,
    Period: 3600,
    EvaluationPeriods: 1,
  },
  ArchiveDeadLetterAlarm: deadLetters('ArchiveDeadLetterQueue'),
  ArchiveQueueAgeAlarm: {
    ...queue('ArchiveQueue'),
    MetricName: 'ApproximateAgeOfOldestMessage',
    Statistic: 'Maximum',
    Threshold: 14_400,
    Period: 300,
    EvaluationPeriods: 1,
  },
  ArchiveFailedAlarm: {
    ...custom('ArchiveFailed'),
    Statistic: 'Sum',
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 1,
  },
};

/** The alarms of the archive, which archiveDocuments: false leaves out. */
const ARCHIVE_ALARMS = Object.keys(EXPECTED_ALARMS).filter((id) => id.startsWith('Archive'));

/** An alarm's text, the Fn::Sub string where it names the region. */
const descriptionOf = (alarm: CfnResource | undefined): string => {
  const description = alarm?.Properties.AlarmDescription;
  if (typeof description === 'string') return description;
  return (description as { 'Fn::Sub': string })['Fn::Sub'];
};

const finishMapping = (template: CfnTemplate): CfnResource =>
  resource(template, 'FinishEventSourceMappingSQSSigningEventsQueue');

describe('the alarms of the default configuration', () => {
  it('are exactly the alarms the issue asks for, each on its metric, dimensions and threshold', () => {
    const alarms = alarmsOf(templates.default);
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(EXPECTED_ALARMS).sort());
    for (const [id, expected] of Object.entries(EXPECTED_ALARMS)) {
      const properties = alarms[id]?.Properties;
      expect({ id, ...properties }).toMatchObject({
        id,
        ...expected,
        DatapointsToAlarm: expected.EvaluationPeriods,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(properties?.Dimensions).toEqual(expected.Dimensions);
    }
  });

  it('watch resources the stack has, of the right types', () => {
    const { default: template } = templates;
    expect(resource(template, 'ArchiveQueue').Type).toBe('AWS::SQS::Queue');
    expect(resource(template, 'ArchiveDeadLetterQueue').Type).toBe('AWS::SQS::Queue');
    expect(resource(template, 'SigningEventsQueue').Type).toBe('AWS::SQS::Queue');
    expect(resource(template, 'SigningEventsDeadLetterQueue').Type).toBe('AWS::SQS::Queue');
    expect(resource(template, 'CompletionEventsDeadLetterQueue').Type).toBe('AWS::SQS::Queue');
    for (const name of FUNCTIONS) {
      expect(resource(template, `${name}LambdaFunction`).Type).toBe('AWS::Lambda::Function');
    }
    expect(resource(template, 'HttpApi').Type).toBe('AWS::ApiGatewayV2::Api');
    // The 5xx alarm's Stage dimension: the HTTP API's one stage.
    expect(resource(template, 'HttpApiStage').Properties).toMatchObject({
      ApiId: { Ref: 'HttpApi' },
      StageName: '$default',
    });
  });

  it("read the custom metrics under the functions' own service name, one per stage", () => {
    const { default: template } = templates;
    for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { POWERTOOLS_SERVICE_NAME: 'signinghub-finish-test' },
      });
    }
    const custom = Object.values(alarmsOf(template)).filter(
      (alarm) => alarm.Properties.Namespace === METRICS_NAMESPACE,
    );
    expect(custom.map((alarm) => alarm.Properties.MetricName).sort()).toEqual([
      'ArchiveFailed',
      'CallbackUnauthorised',
      'ClientCertificateExpiring',
      'FinishFailed',
    ]);
  });

  it('let a signing event handed back twice settle on its third receive before the queue age fires', () => {
    const { default: template } = templates;
    const visibility = resource(template, 'SigningEventsQueue').Properties.VisibilityTimeout;
    const timeout = resource(template, 'FinishLambdaFunction').Properties.Timeout;
    const { Threshold: threshold } = alarmsOf(template).SigningQueueAgeAlarm?.Properties ?? {};
    expect([visibility, timeout, threshold]).toEqual([360, 60, 900]);
    // Two hand-backs (360 s each) and three invocations (up to 60 s each): at most 900 s old.
    expect(threshold).toBeGreaterThanOrEqual(2 * Number(visibility) + 3 * Number(timeout));
    // ...and well before the fifth receive sends it to the dead-letter queue.
    expect(threshold).toBeLessThan(4 * Number(visibility));
  });

  it("fire on publish's iterator age before its retries give a stream batch up", () => {
    const { default: template } = templates;
    const mapping = resource(template, 'PublishEventSourceMappingDynamodbTable').Properties;
    const timeout = Number(resource(template, 'PublishLambdaFunction').Properties.Timeout);
    const threshold = Number(alarmsOf(template).PublishIteratorAgeAlarm?.Properties.Threshold);
    // 20 retries of a batch that times out hold the shard for 20 × 30 s = 600 s.
    expect(threshold).toBeLessThan(Number(mapping.MaximumRetryAttempts) * timeout * 1000);
    // A healthy stream is about one batching window (1 s) behind; the alarm is minutes above it.
    expect(threshold).toBeGreaterThanOrEqual(
      60 * 1000 * Number(mapping.MaximumBatchingWindowInSeconds),
    );
  });

  it('tell the operator what the alarm means and which command to run', () => {
    const alarms = alarmsOf(templates.default);
    for (const [id, alarm] of Object.entries(alarms)) {
      // CloudWatch takes up to 1024 characters.
      expect(descriptionOf(alarm).length, id).toBeLessThanOrEqual(1024);
      expect(descriptionOf(alarm).length, id).toBeGreaterThan(80);
    }
    expect(descriptionOf(alarms.SigningEventsDeadLetterAlarm)).toContain(
      'npm run redrive -- --stage test',
    );
    expect(descriptionOf(alarms.CompletionEventsDeadLetterAlarm)).toContain(
      'npm run republish -- <packageId> --stage test',
    );
    expect(descriptionOf(alarms.FinishFailedAlarm)).toContain(
      `npm run status -- --stage test --region ${placeholder('AWS::Region')}`,
    );
    expect(descriptionOf(alarms.ClientCertificateExpiringAlarm)).toContain(
      "Put the renewed certificate and key in the tenant's secret",
    );
    expect(descriptionOf(alarms.ArchiveDeadLetterAlarm)).toContain(
      'npm run redrive -- --queue archive --stage test',
    );
    expect(descriptionOf(alarms.ArchiveFailedAlarm)).toContain(
      'npm run archive -- <packageId> --stage test',
    );
    for (const id of ['ArchiveQueueAgeAlarm', 'ArchiveFailedAlarm', 'ArchiveDeadLetterAlarm']) {
      expect(descriptionOf(alarms[id]), id).toContain('/aws/lambda/signinghub-finish-test-archive');
    }
  });

  it("let an archive request handed back twice settle on its third receive before the archive queue's age fires", () => {
    const { default: template } = templates;
    const visibility = Number(resource(template, 'ArchiveQueue').Properties.VisibilityTimeout);
    const timeout = Number(resource(template, 'ArchiveLambdaFunction').Properties.Timeout);
    const threshold = Number(alarmsOf(template).ArchiveQueueAgeAlarm?.Properties.Threshold);
    expect(threshold).toBeGreaterThanOrEqual(2 * visibility + 3 * timeout);
    // ...and before its fifth receive sends it to the dead-letter queue.
    expect(threshold).toBeLessThan(4 * visibility);
  });
});

describe('the alarms of the stack without the archive (noArchive)', () => {
  it("are the default's but the archive's", () => {
    expect(Object.keys(alarmsOf(templates.noArchive)).sort()).toEqual(
      Object.keys(EXPECTED_ALARMS)
        .filter((id) => !ARCHIVE_ALARMS.includes(id))
        .sort(),
    );
    expect(ARCHIVE_ALARMS.sort()).toEqual([
      'ArchiveDeadLetterAlarm',
      'ArchiveErrorsAlarm',
      'ArchiveFailedAlarm',
      'ArchiveQueueAgeAlarm',
      'ArchiveThrottlesAlarm',
    ]);
  });
});

describe('the alarms of another packaging (alarmEmail)', () => {
  it('come with the thresholds and the service name of their own packaging', () => {
    const alarms = alarmsOf(templates.alarmEmail);
    expect(alarms.CallbackUnauthorisedAlarm?.Properties).toMatchObject({
      Threshold: 25,
      Dimensions: dimensions({ [SERVICE_DIMENSION]: 'signinghub-finish-mail' }),
    });
    expect(alarms.SigningQueueAgeAlarm?.Properties.Threshold).toBe(1200);
    expect(alarms.FinishFailedAlarm?.Properties.AlarmName).toBe(
      'signinghub-finish-mail-finishes-failed',
    );
  });
});

describe("the finish mapping's maximum concurrency", () => {
  it('is signingHubMaxConcurrency: 5 by default, as the parameter says otherwise', () => {
    expect(finishMapping(templates.default).Properties.ScalingConfig).toEqual({
      MaximumConcurrency: 5,
    });
    expect(finishMapping(templates.alarmEmail).Properties.ScalingConfig).toEqual({
      MaximumConcurrency: 12,
    });
  });

  it('is the only cap: no function has reserved concurrency', () => {
    for (const [, fn] of resourcesOfType(templates.default, 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });
});

describe('the monitoring parameters', () => {
  it.each([
    [
      'signingHubMaxConcurrency=1',
      'signingHubMaxConcurrency must be a whole number from 2 to 1000',
    ],
    ['functionAlarmPeriodSeconds=90', 'functionAlarmPeriodSeconds must be a multiple of 60'],
    [
      'archiveFailedAlarmPeriodSeconds=90',
      'archiveFailedAlarmPeriodSeconds must be a multiple of 60',
    ],
    [
      'archiveQueueAgeAlarmSeconds=30',
      'archiveQueueAgeAlarmSeconds must be a whole number from 60',
    ],
  ])(
    'stop serverless package at %s',
    async (param, reason) => {
      expect(await packagingRefusal({ stage: 'refused', params: [param] })).toContain(reason);
    },
    120_000,
  );
});
