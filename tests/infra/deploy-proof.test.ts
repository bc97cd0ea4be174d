import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  type FunctionConfiguration,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  GetQueueAttributesCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../../harness/moto-server.ts';
import { TABLE_DEFINITION } from '../../harness/table.ts';
import { createdResources } from '../support/cloudformation.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { signingEventBody } from '../support/factories.ts';
import {
  type DeployedStack,
  deployToMoto,
  httpApiRoutes,
  motoClientConfig,
} from '../support/moto-deploy.ts';
import {
  type Configuration,
  type PackagedService,
  packagedService,
} from '../support/packaged-services.ts';

const FUNCTIONS = ['finish', 'callback', 'reconcile', 'publish'] as const;
type FunctionKey = (typeof FUNCTIONS)[number];
const logicalIdOf = (key: FunctionKey) => `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`;

/**
 * What moto lists without a logical id: it stubs these types and keeps no physical id. (It would
 * stub the HTTP API's too: harness/moto/cfn_http_api.py makes them.)
 */
const MOTO_STUBS = new Set([
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
]);

/** A packaging deployed into a moto of its own, read back through the AWS SDK. */
const deployedInMoto = (configuration: Configuration, beforeDeploy?: (aws: Aws) => Promise<void>) =>
  withDeployTools(async (defer) => {
    const service = await packagedService(configuration);
    const moto = await startMotoServer();
    defer(() => moto.stop());
    const config = motoClientConfig(moto, service.state.region);
    const aws = {
      dynamoDb: new DynamoDBClient(config),
      sqs: new SQSClient(config),
      lambda: new LambdaClient(config),
      events: new EventBridgeClient(config),
      cloudWatch: new CloudWatchClient(config),
    };
    defer(async () => {
      for (const client of Object.values(aws)) client.destroy();
    });
    await beforeDeploy?.(aws);
    const stack = await deployToMoto(service, moto);
    return { service, stack, moto, ...aws };
  }, 300_000);

interface Aws {
  readonly dynamoDb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly events: EventBridgeClient;
  readonly cloudWatch: CloudWatchClient;
}
type Deployed = Aws & {
  readonly service: PackagedService;
  readonly stack: DeployedStack;
  readonly moto: MotoServer;
};

const functionConfig = async (
  { lambda, stack }: Deployed,
  key: FunctionKey,
): Promise<FunctionConfiguration> =>
  lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: stack.physicalId(logicalIdOf(key)) }),
  );

const queueAttributes = async ({ sqs, stack }: Deployed, logicalId: string) => {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.physicalId(logicalId),
      AttributeNames: ['All' satisfies QueueAttributeName],
    }),
  );
  return attributes;
};

/** An event source mapping, by the UUID CloudFormation gave it. */
const mappingOf = ({ lambda, stack }: Deployed, logicalId: string) =>
  lambda.send(new GetEventSourceMappingCommand({ UUID: stack.physicalId(logicalId) }));

const FINISH_MAPPING = 'FinishEventSourceMappingSQSSigningEventsQueue';
const PUBLISH_MAPPING = 'PublishEventSourceMappingDynamodbTable';

/** The stack's alarms as CloudWatch has them, by name. */
const alarmsOf = async ({ cloudWatch, stack }: Deployed): Promise<Map<string, MetricAlarm>> => {
  const { MetricAlarms: alarms = [] } = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `${stack.stackName}-` }),
  );
  return new Map(alarms.map((alarm) => [alarm.AlarmName ?? '', alarm]));
};

/** The alarms of the template, by logical id, as CloudFormation names them. */
const templateAlarms = ({ service }: Deployed) =>
  Object.entries(service.template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) => ({ logicalId, name: String(resource.Properties.AlarmName) }));

describe('the default configuration, deployed into moto as serverless deploy does', () => {
  const deployed = deployedInMoto('default');

  it('reaches UPDATE_COMPLETE with every resource of the template and no default role', () => {
    const { service, stack } = deployed();
    // What CloudFormation creates: the resources whose condition holds (no email subscription).
    const expected = Object.entries(createdResources(service.template))
      .filter(([, resource]) => !MOTO_STUBS.has(resource.Type))
      .map(([id]) => id);
    expect(expected).toContain('AlarmTopic');
    expect(expected).not.toContain('AlarmEmailSubscription');
    expect([...stack.logicalIds].sort()).toEqual(expected.sort());
    expect(stack.logicalIds).not.toContain('IamRoleLambdaExecution');
  });

  it('holds the table with its keys, the open-packages index and a stream of new and old images', async () => {
    const { dynamoDb, stack } = deployed();
    const { Table: table } = await dynamoDb.send(
      new DescribeTableCommand({ TableName: stack.physicalId('Table') }),
    );
    expect(table?.TableName).toBe('signinghub-finish-test');
    expect(table?.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      table?.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
        IndexName,
        KeySchema,
        Projection,
      })),
    ).toEqual(TABLE_DEFINITION.GlobalSecondaryIndexes);
    expect(table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(table?.LatestStreamArn).toMatch(/:table\/signinghub-finish-test\/stream\//);
  });

  it('redrives the queue to its dead-letter queue after five receives, hidden six function timeouts', async () => {
    const deployedNow = deployed();
    const queue = await queueAttributes(deployedNow, 'SigningEventsQueue');
    const deadLetters = await queueAttributes(deployedNow, 'SigningEventsDeadLetterQueue');
    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: deadLetters.QueueArn,
      maxReceiveCount: 5,
    });
    const finish = await functionConfig(deployedNow, 'finish');
    expect(Number(queue.VisibilityTimeout)).toBe(360);
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * (finish.Timeout ?? 0));
    expect(deadLetters.MessageRetentionPeriod).toBe('1209600');
  });

  it('maps the queue to finish in batches of ten with partial batch responses, at most five at once', async () => {
    const deployedNow = deployed();
    const queue = await queueAttributes(deployedNow, 'SigningEventsQueue');
    expect(await mappingOf(deployedNow, FINISH_MAPPING)).toMatchObject({
      EventSourceArn: queue.QueueArn,
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      State: 'Enabled',
    });
    const finish = await functionConfig(deployedNow, 'finish');
    expect((await mappingOf(deployedNow, FINISH_MAPPING)).FunctionArn).toBe(finish.FunctionArn);
  });

  it('feeds the stream to publish, only final packages, with retries and its own dead-letter queue', async () => {
    const deployedNow = deployed();
    const { Table: table } = await deployedNow.dynamoDb.send(
      new DescribeTableCommand({ TableName: deployedNow.stack.physicalId('Table') }),
    );
    const deadLetters = await queueAttributes(deployedNow, 'CompletionEventsDeadLetterQueue');
    const mapping = await mappingOf(deployedNow, PUBLISH_MAPPING);
    expect(mapping).toMatchObject({
      EventSourceArn: table?.LatestStreamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumRetryAttempts: 20,
      MaximumRecordAgeInSeconds: 86400,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: deadLetters.QueueArn } },
    });
    expect(mapping.FunctionArn).toBe((await functionConfig(deployedNow, 'publish')).FunctionArn);
    expect(
      mapping.FilterCriteria?.Filters?.map((filter) => JSON.parse(filter.Pattern ?? '')),
    ).toEqual([
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: {
          NewImage: { sk: { S: ['PACKAGE'] }, status: { S: ['COMPLETED', 'DECLINED', 'DELETED'] } },
        },
      },
    ]);
  });

  it.each([
    ['finish', 60],
    ['callback', 20],
    ['reconcile', 120],
    ['publish', 30],
  ] as const)(
    'runs %s on nodejs24.x from its bundled handler, 256 MB, %i s, on a role of its own',
    async (key, timeout) => {
      const deployedNow = deployed();
      const config = await functionConfig(deployedNow, key);
      expect(config).toMatchObject({
        FunctionName: `signinghub-finish-test-${key}`,
        Runtime: 'nodejs24.x',
        Handler: `functions/${key}.handler`,
        MemorySize: 256,
        Timeout: timeout,
      });
      expect(config.Role).toMatch(
        new RegExp(`:role/signinghub-finish-test-${key}-eu-west-1-lambdaRole$`),
      );
    },
  );

  it('configures the functions through their environment with secret names, never secret values', async () => {
    const deployedNow = deployed();
    const common = {
      TABLE_NAME: 'signinghub-finish-test',
      SIGNINGHUB_BASE_URL: 'https://api.signinghub.com',
      SIGNINGHUB_API_VERSION: 'v3',
      SIGNINGHUB_TIMEOUT_MS: '10000',
      SIGNINGHUB_CREDENTIALS_SECRET: 'signinghub-finish/test/credentials',
      RECONCILE_AFTER_SECONDS: '900',
      POWERTOOLS_SERVICE_NAME: 'signinghub-finish-test',
    };
    const tenants = { TENANTS_SECRET_PREFIX: 'signinghub-finish/test/tenants/' };
    const own: Record<FunctionKey, Record<string, string>> = {
      finish: {
        ...tenants,
        SIGNING_EVENTS_QUEUE_URL: deployedNow.stack.physicalId('SigningEventsQueue'),
      },
      callback: { CALLBACK_SECRET_ID: 'signinghub-finish/test/callback', ...tenants },
      reconcile: tenants,
      publish: { EVENT_BUS_NAME: 'default' },
    };
    for (const key of FUNCTIONS) {
      const variables = (await functionConfig(deployedNow, key)).Environment?.Variables ?? {};
      expect(variables).toEqual({ ...common, ...own[key] });
    }
  });

  it("routes both callback paths, a tenant's among them, to callback's integration", async () => {
    const { moto, stack } = deployed();
    const apiId = stack.physicalId('HttpApi');
    const routes = await httpApiRoutes(moto, stack.region, apiId);
    expect(routes.map((route) => route.routeKey).sort()).toEqual(
      ['GET', 'HEAD', 'POST'].flatMap((method) => [
        `${method} /signinghub/callback/{secret}`,
        `${method} /signinghub/tenants/{tenant}/callback/{secret}`,
      ]),
    );
    const integration = `integrations/${stack.physicalId('HttpApiIntegrationCallback')}`;
    for (const route of routes) expect(route.target, route.routeKey).toBe(integration);
    const api = `https://${apiId}.execute-api.eu-west-1.amazonaws.com`;
    expect(stack.outputs).toMatchObject({
      CallbackUrl: `${api}/signinghub/callback/{secret}`,
      TenantCallbackUrl: `${api}/signinghub/tenants/{tenant}/callback/{secret}`,
    });
  });

  it('runs reconcile every 15 minutes from an enabled schedule rule', async () => {
    const deployedNow = deployed();
    const reconcile = await functionConfig(deployedNow, 'reconcile');
    const { RuleNames: names = [] } = await deployedNow.events.send(
      new ListRuleNamesByTargetCommand({ TargetArn: reconcile.FunctionArn }),
    );
    expect(names).toEqual([deployedNow.stack.physicalId('ReconcileEventsRuleSchedule1')]);
    const rule = await deployedNow.events.send(new DescribeRuleCommand({ Name: names[0] }));
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    const { Targets: targets = [] } = await deployedNow.events.send(
      new ListTargetsByRuleCommand({ Rule: names[0] }),
    );
    expect(targets.map((target) => target.Arn)).toEqual([reconcile.FunctionArn]);
  });

  it('holds every alarm of the template, each notifying the topic the stack made', async () => {
    const deployedNow = deployed();
    const topic = deployedNow.stack.physicalId('AlarmTopic');
    expect(topic).toMatch(/^arn:aws:sns:eu-west-1:\d{12}:signinghub-finish-test-alarms$/);
    const alarms = await alarmsOf(deployedNow);
    const expected = templateAlarms(deployedNow);
    expect(expected).toHaveLength(21);
    expect([...alarms.keys()].sort()).toEqual(expected.map(({ name }) => name).sort());
    for (const { logicalId, name } of expected) {
      expect(deployedNow.stack.physicalId(logicalId)).toBe(name);
      const alarm = alarms.get(name);
      expect(alarm?.AlarmActions, name).toEqual([topic]);
      const noOkNotice = [
        'FinishFailedAlarm',
        'ClientCertificateExpiringAlarm',
        'ArchiveFailedAlarm',
      ];
      expect(alarm?.OKActions, name).toEqual(noOkNotice.includes(logicalId) ? [] : [topic]);
      expect(alarm?.TreatMissingData, name).toBe('notBreaching');
    }
  });

  it('watches the deployed queues and functions by their real names', async () => {
    const deployedNow = deployed();
    const { stack } = deployedNow;
    const alarms = await alarmsOf(deployedNow);
    const named = (suffix: string) => alarms.get(`${stack.stackName}-${suffix}`);
    const queueName = (logicalId: string) => stack.physicalId(logicalId).split('/').pop();
    expect(named('signing-events-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName('SigningEventsDeadLetterQueue') }],
      Threshold: 1,
    });
    expect(named('completion-events-dead-letters')?.Dimensions).toEqual([
      { Name: 'QueueName', Value: queueName('CompletionEventsDeadLetterQueue') },
    ]);
    expect(named('signing-queue-age')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueName('SigningEventsQueue') }],
      Threshold: 900,
      EvaluationPeriods: 3,
    });
    for (const key of FUNCTIONS) {
      const dimensions = [{ Name: 'FunctionName', Value: `signinghub-finish-test-${key}` }];
      expect(named(`${key}-errors`)).toMatchObject({
        MetricName: 'Errors',
        Dimensions: dimensions,
      });
      expect(named(`${key}-throttles`)).toMatchObject({
        MetricName: 'Throttles',
        Dimensions: dimensions,
      });
    }
    expect(named('callback-5xx')?.Dimensions).toEqual([
      { Name: 'ApiId', Value: stack.physicalId('HttpApi') },
      { Name: 'Stage', Value: '$default' },
    ]);
    expect(named('finishes-failed')).toMatchObject({
      Namespace: 'SigningHubFinish',
      MetricName: 'FinishFailed',
      Dimensions: [{ Name: 'service', Value: 'signinghub-finish-test' }],
    });
  });

  it('holds the dashboard, its body naming the deployed queues, functions and alarms', async () => {
    const deployedNow = deployed();
    const { cloudWatch, stack } = deployedNow;
    const name = stack.physicalId('Dashboard');
    expect(name).toBe('signinghub-finish-test');
    const { DashboardBody: body = '' } = await cloudWatch.send(
      new GetDashboardCommand({ DashboardName: name }),
    );
    const { widgets } = JSON.parse(body) as {
      widgets: { type: string; properties: { alarms?: string[]; region?: string } }[];
    };
    const alarms = await alarmsOf(deployedNow);
    expect(widgets.find((widget) => widget.type === 'alarm')?.properties.alarms?.sort()).toEqual(
      [...alarms.values()].map((alarm) => alarm.AlarmArn).sort(),
    );
    expect(
      widgets
        .filter((widget) => widget.type === 'metric')
        .map((widget) => widget.properties.region),
    ).not.toContain(undefined);
    for (const region of widgets.flatMap((widget) => widget.properties.region ?? [])) {
      expect(region).toBe('eu-west-1');
    }
    expect(body).toContain(
      `"QueueName","${stack.physicalId('SigningEventsQueue').split('/').pop()}"`,
    );
    for (const key of FUNCTIONS) expect(body).toContain(`"signinghub-finish-test-${key}"`);
  });
});

describe('the upstream-bus configuration, deployed into moto', () => {
  // The bus belongs to the upstream system: it exists before this stack is deployed.
  const deployed = deployedInMoto('upstream', async ({ events }) => {
    await events.send(new CreateEventBusCommand({ Name: 'signing-upstream' }));
  });

  it('routes a signing event put on the upstream bus into the signing queue', async () => {
    const deployedNow = deployed();
    const { lambda, events, sqs, stack } = deployedNow;
    // moto would hand the message to finish itself (and, without Docker, lose it): this test
    // is the queue's only reader.
    const mapping = await mappingOf(deployedNow, FINISH_MAPPING);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
    const detail = { packageId: 7001, signerEmail: 'alice@example.com' };
    const { FailedEntryCount: failed } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'signing-upstream',
            Source: 'signing.upstream',
            DetailType: 'SignerSigned',
            Detail: signingEventBody(detail),
          },
        ],
      }),
    );
    expect(failed).toBe(0);
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.physicalId('SigningEventsQueue'),
        WaitTimeSeconds: 1,
      }),
    );
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.Body ?? '{}')).toMatchObject({
      source: 'signing.upstream',
      'detail-type': 'SignerSigned',
      detail,
    });
  });
});
