import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../harness/table.ts';
import {
  actionsOf,
  type CfnTemplate,
  lambdaFunction,
  lambdaRole,
  resource,
  resourcesOfType,
  roleStatements,
} from '../support/cloudformation.ts';
import { packagedService } from '../support/packaged-services.ts';

/** What every function's role may do with its own log group. */
const WRITES_LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/** Every function of the default configuration, by its key in serverless.yml. */
const FUNCTIONS = ['finish', 'callback', 'reconcile', 'publish', 'archive'];

/** The template's conditions, which decide the alarm topic and its subscription. */
const ALARM_CONDITIONS = ['CreateAlarmTopic', 'SubscribeAlarmEmail'];

let template: CfnTemplate;
let upstreamTemplate: CfnTemplate;

beforeAll(async () => {
  template = (await packagedService('default')).template;
  upstreamTemplate = (await packagedService('upstream')).template;
}, 300_000);

const functionNamed = (key: string) => lambdaFunction(template, key);

const roleOf = (key: string) => lambdaRole(template, key);

describe('the packaged CloudFormation template', () => {
  it('runs finish on nodejs24.x from the bundled handler', () => {
    const finish = functionNamed('finish');
    expect(finish.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'functions/finish.handler',
    });
    expect(finish.Properties.Environment).toMatchObject({
      Variables: { TABLE_NAME: 'signinghub-finish-test', SIGNINGHUB_API_VERSION: 'v3' },
    });
  });

  it('makes the table from infra/table.json, billed per request, with point-in-time recovery', () => {
    const table = resource(template, 'Table');
    expect(table.Properties.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.Properties).toMatchObject({
      TableName: 'signinghub-finish-test',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('redrives the queue to its dead-letter queue after five receives', () => {
    const queue = resource(template, 'SigningEventsQueue');
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['SigningEventsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(resource(template, 'SigningEventsDeadLetterQueue').Type).toBe('AWS::SQS::Queue');
  });

  it('gives the queue a visibility timeout of at least six function timeouts', () => {
    const timeout = functionNamed('finish').Properties.Timeout as number;
    const visibility = resource(template, 'SigningEventsQueue').Properties
      .VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('maps the queue to finish with partial batch responses', () => {
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m)
      .find(
        (m) =>
          m.Properties.FunctionName !== undefined &&
          JSON.stringify(m.Properties.FunctionName).includes('Finish'),
      );
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['SigningEventsQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('has no upstream rule, queue policy or condition when no upstream bus is configured', () => {
    expect(Object.keys(template.Resources).filter((id) => id.startsWith('Upstream'))).toEqual([]);
    // The archive's own (tests/infra/archive-template.test.ts), and no other.
    expect(resourcesOfType(template, 'AWS::SQS::QueuePolicy').map(([id]) => id)).toEqual([
      'ArchiveQueuePolicy',
    ]);
    // The only conditions are the alarm topic's and its subscription's (tests/infra/alarm-topic.test.ts).
    expect(Object.keys(template.Conditions ?? {}).sort()).toEqual(ALARM_CONDITIONS);
  });

  it('routes the upstream bus into the queue, and lets only that rule send, when a bus is configured', () => {
    const rule = resource(upstreamTemplate, 'UpstreamSigningEventsRule');
    expect(rule.Condition).toBeUndefined();
    expect(rule.Properties).toEqual({
      EventBusName: 'signing-upstream',
      EventPattern: { source: ['signing.upstream'], 'detail-type': ['SignerSigned'] },
      Targets: [
        { Id: 'signing-events-queue', Arn: { 'Fn::GetAtt': ['SigningEventsQueue', 'Arn'] } },
      ],
    });
    const policy = resource(upstreamTemplate, 'UpstreamSigningEventsQueuePolicy');
    expect(policy.Properties.Queues).toEqual([{ Ref: 'SigningEventsQueue' }]);
    expect(policy.Properties.PolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['UpstreamSigningEventsRule', 'Arn'] } },
          },
        },
      ],
    });
    expect(Object.keys(upstreamTemplate.Conditions ?? {}).sort()).toEqual(ALARM_CONDITIONS);
  });

  it('creates no default role: every function runs on a role of its own', () => {
    for (const packaged of [template, upstreamTemplate]) {
      expect(packaged.Resources.IamRoleLambdaExecution).toBeUndefined();
      const roles = resourcesOfType(packaged, 'AWS::IAM::Role').map(([id]) => id);
      expect(roles.sort()).toEqual(
        ['Archive', 'Callback', 'Finish', 'Publish', 'Reconcile'].map(
          (key) => `${key}IamRoleLambdaExecution`,
        ),
      );
    }
    for (const key of FUNCTIONS) {
      expect(functionNamed(key).Properties.Role).toEqual({
        'Fn::GetAtt': [`${key[0]?.toUpperCase()}${key.slice(1)}IamRoleLambdaExecution`, 'Arn'],
      });
    }
  });

  it('deploys every contract function on nodejs24.x from its bundled handler', () => {
    for (const key of FUNCTIONS) {
      expect(functionNamed(key).Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Handler: `functions/${key}.handler`,
      });
    }
  });

  it('routes GET, HEAD and POST on the callback path and the tenant callback path to callback, throttled', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => route);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /signinghub/callback/{secret}',
      'GET /signinghub/tenants/{tenant}/callback/{secret}',
      'HEAD /signinghub/callback/{secret}',
      'HEAD /signinghub/tenants/{tenant}/callback/{secret}',
      'POST /signinghub/callback/{secret}',
      'POST /signinghub/tenants/{tenant}/callback/{secret}',
    ]);
    // Every route goes to the one integration, callback's.
    for (const route of routes) {
      expect(route.Properties.Target).toEqual({
        'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationCallback' }]],
      });
    }
    expect(resource(template, 'HttpApiIntegrationCallback').Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': ['CallbackLambdaFunction', 'Arn'] },
    });
    expect(resource(template, 'HttpApiStage').Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
    });
  });

  it('gives the table the open-packages index and a stream of old and new images', () => {
    const table = resource(template, 'Table');
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      TABLE_DEFINITION.GlobalSecondaryIndexes,
    );
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'open-packages',
        KeySchema: [
          { AttributeName: 'openStatus', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
      }),
    ]);
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('runs reconcile on a schedule', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
      ([, rule]) => rule.Properties.ScheduleExpression !== undefined,
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [{ Arn: { 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] } }],
    });
  });

  it('feeds the stream to publish with retries, partial failures and its own dead-letter queue', () => {
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m)
      .find((m) => JSON.stringify(m.Properties.EventSourceArn).includes('StreamArn'));
    expect(mapping?.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['PublishLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['CompletionEventsDeadLetterQueue', 'Arn'] } },
      },
    });
    expect(mapping?.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it.each([
    [
      'finish',
      [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        ...WRITES_LOGS,
        // the credentials secret; the tenant secrets (tests/infra/tenant-secrets.test.ts)
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    ],
    [
      'callback',
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        ...WRITES_LOGS,
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
      ],
    ],
    [
      'reconcile',
      [
        'dynamodb:GetItem',
        // the open-packages index, and the registry of tenants
        'dynamodb:Query',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        ...WRITES_LOGS,
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
      ],
    ],
    [
      'publish',
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'events:PutEvents',
        ...WRITES_LOGS,
        'sqs:SendMessage',
      ],
    ],
    [
      'archive',
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        ...WRITES_LOGS,
        // the objects of the archive bucket (tests/infra/archive-template.test.ts)
        's3:AbortMultipartUpload',
        's3:PutObject',
        // the credentials secret; the tenant secrets
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
        // what the SQS mapping does on archive's behalf
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    ],
  ])('gives %s its own role with only what it uses, and no * resources', (key, expected) => {
    const statements = roleStatements(roleOf(key));
    expect(statements.flatMap(actionsOf).sort()).toEqual(expected);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
      expect(actionsOf(statement).some((action) => action.endsWith('*'))).toBe(false);
    }
  });

  it('lets reconcile query only the open-packages index and the registry of tenants, never scan', () => {
    const queries = roleStatements(roleOf('reconcile')).filter((st) =>
      actionsOf(st).includes('dynamodb:Query'),
    );
    expect(queries.map((query) => [query.Resource, query.Condition])).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a JS template
      [{ 'Fn::Sub': '${Table.Arn}/index/open-packages' }, undefined],
      [
        { 'Fn::GetAtt': ['Table', 'Arn'] },
        { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANTS'] } },
      ],
    ]);
    const everyAction = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .flatMap((r) => roleStatements(r).flatMap(actionsOf));
    expect(everyAction).not.toContain('dynamodb:Scan');
  });
});
