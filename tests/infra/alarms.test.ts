import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  type CfnTemplate,
  createdResources,
  resource,
  resourcesOfType,
  withParameters,
} from '../support/cloudformation.ts';
import {
  type Configuration,
  packagedService,
  packagingRefusal,
} from '../support/packaged-services.ts';

const templates = {} as Record<Configuration, CfnTemplate>;

beforeAll(async () => {
  for (const configuration of ['default', 'existingAlarmTopic', 'alarmEmail'] as const) {
    templates[configuration] = (await packagedService(configuration)).template;
  }
}, 300_000);

const FUNCTIONS = ['Finish', 'Callback', 'Reconcile', 'Publish'] as const;
const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:operations-alarms';

/** The metrics the functions write (lib/metrics.ts and Powertools' ColdStart): the contract. */
const CUSTOM_METRICS = [
  'FinishSucceeded',
  'FinishFailed',
  'FinishRetrying',
  'FinishSkipped',
  'SigningEventRejected',
  'FinishResponse2xx',
  'FinishResponse4xx',
  'FinishResponse5xx',
  'FinishResponseNone',
  'FinishRequests',
  'SigningHubAuthentications',
  'SigningEventToFinish',
  'CallbackAccepted',
  'CallbackRejected',
  'CallbackUnauthorised',
  'PackageCompleted',
  'PackageDeclined',
  'PackageDeleted',
  'ReconcileChecked',
  'ReconcileConfirmed',
  'CompletionEventPublished',
  'CompletionEventRefused',
  'ColdStart',
];

interface ExpectedAlarm {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly { Name: string; Value: unknown }[];
  readonly Statistic: 'Sum' | 'Maximum';
  readonly Threshold: number;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  /** Whether the return to OK notifies too. */
  readonly ok: boolean;
}

const queue = (logicalId: string) => ({
  Namespace: 'AWS/SQS',
  Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }],
});
const lambda = (name: (typeof FUNCTIONS)[number]) => ({
  Namespace: 'AWS/Lambda',
  Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${name}LambdaFunction` } }],
});
const custom = (service: string) => ({
  Namespace: 'SigningHubFinish',
  Dimensions: [{ Name: 'service', Value: service }],
});

/** Every alarm of the default configuration (stage `test`), with the defaults of serverless.yml. */
const EXPECTED_ALARMS: Record<string, ExpectedAlarm> = {
  SigningEventsDeadLetterAlarm: {
    ...queue('SigningEventsDeadLetterQueue'),
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Statistic: 'Maximum',
    Threshold: 1,
    Period: 60,
    EvaluationPeriods: 1,
    ok: true,
  },
  CompletionEventsDeadLetterAlarm: {
    ...queue('CompletionEventsDeadLetterQueue'),
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Statistic: 'Maximum',
    Threshold: 1,
    Period: 60,
    EvaluationPeriods: 1,
    ok: true,
  },
  SigningQueueAgeAlarm: {
    ...queue('SigningEventsQueue'),
    MetricName: 'ApproximateAgeOfOldestMessage',
    Statistic: 'Maximum',
    Threshold: 900,
    Period: 60,
    EvaluationPeriods: 3,
    ok: true,
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
          ok: true,
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
    ok: true,
  },
  Callback5xxAlarm: {
    Namespace: 'AWS/ApiGateway',
    Dimensions: [
      { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
      { Name: 'Stage', Value: '$default' },
    ],
    MetricName: '5xx',
    Statistic: 'Sum',
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 1,
    ok: true,
  },
  CallbackUnauthorisedAlarm: {
    ...custom('signinghub-finish-test'),
    MetricName: 'CallbackUnauthorised',
    Statistic: 'Sum',
    Threshold: 10,
    Period: 300,
    EvaluationPeriods: 1,
    ok: true,
  },
  FinishFailedAlarm: {
    ...custom('signinghub-finish-test'),
    MetricName: 'FinishFailed',
    Statistic: 'Sum',
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 1,
    ok: false,
  },
};

/** `${name}` as Fn::Sub writes a reference, without a template string's own `${`. */
const placeholder = (name: string) => `\${${name}}`;

/** An alarm's text, the Fn::Sub string where it names the region. */
const descriptionOf = (alarm: CfnResource | undefined): string => {
  const description = alarm?.Properties.AlarmDescription;
  if (typeof description === 'string') return description;
  return (description as { 'Fn::Sub': string })['Fn::Sub'];
};

/** Where the stack says its alarms notify (its output AlarmNotificationTopicArn). */
const notifiedTopic = (template: CfnTemplate): unknown => {
  const output = template.Outputs?.AlarmNotificationTopicArn as { Value: unknown } | undefined;
  return withParameters(template, output?.Value);
};

const alarmsOf = (template: CfnTemplate): Record<string, CfnResource> =>
  Object.fromEntries(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));

const finishMapping = (template: CfnTemplate): CfnResource =>
  resource(template, 'FinishEventSourceMappingSQSSigningEventsQueue');

/** Whether a template's parameter pattern lets a value through (CloudFormation checks it). */
const allows = (template: CfnTemplate, parameter: string, value: string): boolean => {
  const pattern = template.Parameters?.[parameter]?.AllowedPattern;
  if (pattern === undefined) throw new Error(`${parameter} has no AllowedPattern`);
  return new RegExp(pattern).test(value);
};

interface MetricRow {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface DashboardWidget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly region?: string;
    readonly alarms?: string[];
    readonly metrics?: unknown[][];
  };
}

const dashboardOf = (template: CfnTemplate) => {
  const body = resource(template, 'Dashboard').Properties.DashboardBody as { 'Fn::Sub': string };
  const text = body['Fn::Sub'];
  const widgets = (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
  const rows: MetricRow[] = widgets.flatMap((widget) =>
    (widget.properties.metrics ?? [])
      .filter((row) => typeof row[0] === 'string')
      .map((row) => {
        const strings = row.filter((item): item is string => typeof item === 'string');
        const [namespace = '', name = '', ...pairs] = strings;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2)
          dimensions[pairs[i] ?? ''] = pairs[i + 1] ?? '';
        return { namespace, name, dimensions };
      }),
  );
  const substitutions = [...text.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  return { text, widgets, rows, substitutions };
};

describe('the alarms of the default configuration', () => {
  it('are exactly the alarms the issue asks for, each on its metric, dimensions and threshold', () => {
    const alarms = alarmsOf(templates.default);
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(EXPECTED_ALARMS).sort());
    for (const [id, { ok: _ok, ...expected }] of Object.entries(EXPECTED_ALARMS)) {
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
      (alarm) => alarm.Properties.Namespace === 'SigningHubFinish',
    );
    expect(custom.map((alarm) => alarm.Properties.MetricName).sort()).toEqual([
      'CallbackUnauthorised',
      'FinishFailed',
    ]);
  });

  it("notify the stack's own topic when they fire, and when they clear where clearing means it is over", () => {
    const { default: template } = templates;
    const created = createdResources(template);
    expect(created.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
    expect(created.AlarmTopic?.Properties.TopicName).toBe('signinghub-finish-test-alarms');
    for (const [id, alarm] of Object.entries(alarmsOf(template))) {
      const topic = [{ Ref: 'AlarmTopic' }];
      expect(withParameters(template, alarm.Properties.AlarmActions), id).toEqual(topic);
      expect(withParameters(template, alarm.Properties.OKActions), id).toEqual(
        EXPECTED_ALARMS[id]?.ok ? topic : undefined,
      );
      expect(alarm.Properties.InsufficientDataActions, id).toBeUndefined();
      // No data is no event: an idle empty queue, a function nobody invoked.
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
    }
    expect(notifiedTopic(template)).toEqual({
      Ref: 'AlarmTopic',
    });
  });

  it('lets CloudWatch publish to the topic for these alarms only', () => {
    const { default: template } = templates;
    const policy = resource(template, 'AlarmTopicPolicy');
    expect(policy.Condition).toBe('CreateAlarmTopic');
    expect(createdResources(template).AlarmTopicPolicy).toBeDefined();
    expect(policy.Properties.Topics).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(policy.Properties.PolicyDocument).toMatchObject({ Version: '2012-10-17' });
    expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Sid: 'StackAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: 'AlarmTopic' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Sub': `arn:${placeholder('AWS::Partition')}:cloudwatch:${placeholder('AWS::Region')}:${placeholder('AWS::AccountId')}:alarm:signinghub-finish-test-*`,
            },
          },
        },
      },
    ]);
    // An alarm outside that pattern could not notify anyone.
    for (const alarm of Object.values(alarmsOf(template))) {
      expect(alarm.Properties.AlarmName).toMatch(/^signinghub-finish-test-[a-z0-9-]+$/);
    }
  });

  it('subscribe no address when alarmEmail is empty', () => {
    const { default: template } = templates;
    expect(template.Resources.AlarmEmailSubscription?.Condition).toBe('SubscribeAlarmEmail');
    expect(createdResources(template).AlarmEmailSubscription).toBeUndefined();
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

describe('an existing topic (alarmTopicArn)', () => {
  it('replaces the topic of the stack: none is created, every alarm notifies the given ARN', () => {
    const { existingAlarmTopic: template } = templates;
    const created = Object.values(createdResources(template)).map((found) => found.Type);
    expect(created).not.toContain('AWS::SNS::Topic');
    expect(created).not.toContain('AWS::SNS::TopicPolicy');
    expect(created).not.toContain('AWS::SNS::Subscription');
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(EXPECTED_ALARMS).sort());
    for (const [id, alarm] of Object.entries(alarms)) {
      expect(withParameters(template, alarm.Properties.AlarmActions), id).toEqual([EXISTING_TOPIC]);
      expect(withParameters(template, alarm.Properties.OKActions), id).toEqual(
        EXPECTED_ALARMS[id]?.ok ? [EXISTING_TOPIC] : undefined,
      );
    }
    expect(notifiedTopic(template)).toBe(EXISTING_TOPIC);
  });
});

describe('an address to notify (alarmEmail)', () => {
  it("subscribes the address to the stack's topic", () => {
    const { alarmEmail: template } = templates;
    const subscription = createdResources(template).AlarmEmailSubscription;
    expect(subscription?.Type).toBe('AWS::SNS::Subscription');
    expect(withParameters(template, subscription?.Properties)).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(createdResources(template).AlarmTopic?.Type).toBe('AWS::SNS::Topic');
  });

  it('comes with the thresholds and the service name of its own packaging', () => {
    const alarms = alarmsOf(templates.alarmEmail);
    expect(alarms.CallbackUnauthorisedAlarm?.Properties).toMatchObject({
      Threshold: 25,
      Dimensions: [{ Name: 'service', Value: 'signinghub-finish-mail' }],
    });
    expect(alarms.SigningQueueAgeAlarm?.Properties.Threshold).toBe(1200);
    expect(alarms.FinishFailedAlarm?.Properties.AlarmName).toBe(
      'signinghub-finish-mail-finishes-failed',
    );
  });
});

describe('the alarm parameters', () => {
  it.each(['default', 'existingAlarmTopic', 'alarmEmail'] as const)(
    'let CloudFormation refuse a malformed topic ARN or address (%s)',
    (configuration) => {
      const template = templates[configuration];
      expect(allows(template, 'AlarmTopicArn', '')).toBe(true);
      expect(allows(template, 'AlarmTopicArn', EXISTING_TOPIC)).toBe(true);
      expect(allows(template, 'AlarmTopicArn', 'operations-alarms')).toBe(false);
      expect(allows(template, 'AlarmTopicArn', 'arn:aws:sqs:eu-west-1:123456789012:q')).toBe(false);
      expect(allows(template, 'AlarmEmail', '')).toBe(true);
      expect(allows(template, 'AlarmEmail', 'ops@example.com')).toBe(true);
      expect(allows(template, 'AlarmEmail', 'ops')).toBe(false);
      expect(allows(template, 'AlarmEmail', 'ops@example.com, dev@example.com')).toBe(false);
    },
  );

  it.each([
    [
      'signingHubMaxConcurrency=1',
      'signingHubMaxConcurrency must be a whole number from 2 to 1000',
    ],
    ['functionAlarmPeriodSeconds=90', 'functionAlarmPeriodSeconds must be a multiple of 60'],
  ])(
    'stop serverless package at %s',
    async (param, reason) => {
      expect(await packagingRefusal({ stage: 'refused', params: [param] })).toContain(reason);
    },
    120_000,
  );
});

describe('the dashboard', () => {
  it("is valid JSON on a 24-column grid, each graph in the stack's region", () => {
    const { widgets } = dashboardOf(templates.default);
    expect(widgets.length).toBeGreaterThan(10);
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      if (widget.type === 'metric')
        expect(widget.properties.region).toBe(placeholder('AWS::Region'));
    }
    expect(resource(templates.default, 'Dashboard').Properties.DashboardName).toBe(
      'signinghub-finish-test',
    );
  });

  it('names only resources of the stack and pseudo parameters', () => {
    const { default: template } = templates;
    const { substitutions } = dashboardOf(template);
    expect(substitutions.length).toBeGreaterThan(0);
    for (const substitution of substitutions) {
      const [logicalId = '', attribute] = substitution.split('.');
      if (logicalId.startsWith('AWS::')) expect(['AWS::Region']).toContain(logicalId);
      else {
        expect(template.Resources[logicalId], substitution).toBeDefined();
        expect([undefined, 'Arn', 'QueueName']).toContain(attribute);
      }
    }
  });

  it('shows the state of every alarm first', () => {
    const { default: template } = templates;
    const [first] = dashboardOf(template).widgets;
    expect(first?.type).toBe('alarm');
    expect(first?.y).toBe(0);
    expect([...(first?.properties.alarms ?? [])].sort()).toEqual(
      Object.keys(alarmsOf(template))
        .map((id) => placeholder(`${id}.Arn`))
        .sort(),
    );
  });

  it('draws the queues, the dead letters, every function and the callback from the real resources', () => {
    const { rows } = dashboardOf(templates.default);
    const has = (namespace: string, name: string, dimensions: Record<string, string>) =>
      expect(rows, `${namespace} ${name} ${JSON.stringify(dimensions)}`).toContainEqual({
        namespace,
        name,
        dimensions,
      });
    const queueName = (id: string) => ({ QueueName: placeholder(`${id}.QueueName`) });
    has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName('SigningEventsQueue'));
    has('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName('SigningEventsQueue'));
    has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName('SigningEventsDeadLetterQueue'));
    has(
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      queueName('CompletionEventsDeadLetterQueue'),
    );
    for (const name of FUNCTIONS) {
      for (const metric of ['Errors', 'Throttles', 'Duration']) {
        has('AWS/Lambda', metric, { FunctionName: placeholder(`${name}LambdaFunction`) });
      }
    }
    has('AWS/Lambda', 'IteratorAge', { FunctionName: placeholder('PublishLambdaFunction') });
    has('AWS/Lambda', 'ConcurrentExecutions', {
      FunctionName: placeholder('FinishLambdaFunction'),
    });
    has('AWS/ApiGateway', '5xx', { ApiId: placeholder('HttpApi'), Stage: '$default' });
  });

  it("draws the functions' own metrics, by their contract names, under this stage's service", () => {
    const { rows, text } = dashboardOf(templates.default);
    const custom = rows.filter((row) => row.namespace === 'SigningHubFinish');
    for (const row of custom) {
      expect(CUSTOM_METRICS).toContain(row.name);
      expect(row.dimensions).toEqual({ service: 'signinghub-finish-test' });
    }
    const drawn = new Set(custom.map((row) => row.name));
    for (const name of CUSTOM_METRICS.filter((metric) => metric !== 'ColdStart')) {
      expect(drawn, name).toContain(name);
    }
    // ColdStart carries function_name too (Powertools): a search finds it.
    expect(text).toContain(
      'SEARCH(\'Namespace=\\"SigningHubFinish\\" MetricName=\\"ColdStart\\" service=\\"signinghub-finish-test\\"\'',
    );
  });
});
