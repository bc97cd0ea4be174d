import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { withDeployTools } from '../support/deploy-tools.ts';
import {
  type DeployedRole,
  decide,
  defaultKeyPolicy,
  eachStatement,
  readRole,
} from '../support/iam-evaluation.ts';
import { packagedWithMoto } from '../support/moto-clients.ts';
import { deployToMoto } from '../support/moto-deploy.ts';

const FUNCTIONS = ['finish', 'callback', 'reconcile', 'publish', 'archive'] as const;
type FunctionKey = (typeof FUNCTIONS)[number];
/** The functions that read tenant settings; publish never does. */
const TENANT_READERS = ['finish', 'callback', 'reconcile', 'archive'] as const;
const GET_SECRET = 'secretsmanager:GetSecretValue';

/** The ARNs of what the functions touch, as the deployed stack has them. */
interface Arns {
  readonly table: string;
  readonly openPackagesIndex: string;
  readonly stream: string;
  readonly signingQueue: string;
  readonly signingDeadLetters: string;
  readonly completionDeadLetters: string;
  readonly credentialsSecret: string;
  readonly callbackSecret: string;
  /** A tenant's settings (acme's), under the default prefix; any name there is one. */
  readonly tenantSecret: string;
  /** An ARN of a secret named `name`, in the stack's account and region. */
  secretNamed(name: string): string;
  readonly bus: string;
  readonly logStream: Readonly<Record<FunctionKey, string>>;
  readonly archiveQueue: string;
  readonly archiveDeadLetters: string;
  /** The archive bucket the stack made. */
  readonly archiveBucket: string;
  /** A document in it, where the archive function puts one. */
  readonly archivedDocument: string;
  /** A KMS key of the account: the default configuration encrypts with SSE-S3, no key. */
  readonly kmsKey: string;
}

const deployed = withDeployTools(async (defer) => {
  const { service, moto, aws } = await packagedWithMoto(defer, 'default', (config) => ({
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    dynamoDb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    secrets: new SecretsManagerClient(config),
    events: new EventBridgeClient(config),
  }));
  // The secrets exist before the stack (README, Deploy); their ARNs end in six random characters.
  const secretArn = async (name: string) =>
    (await aws.secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x'.repeat(32) })))
      .ARN ?? '';
  const credentialsSecret = await secretArn('signinghub-finish/test/credentials');
  const callbackSecret = await secretArn('signinghub-finish/test/callback');
  const stack = await deployToMoto(service, moto);

  const queueArn = async (logicalId: string) => {
    const { Attributes: attributes = {} } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.physicalId(logicalId),
        AttributeNames: ['QueueArn'],
      }),
    );
    return attributes.QueueArn ?? '';
  };
  const { Table: table } = await aws.dynamoDb.send(
    new DescribeTableCommand({ TableName: stack.physicalId('Table') }),
  );
  const roles = {} as Record<FunctionKey, DeployedRole>;
  const logStream = {} as Record<FunctionKey, string>;
  for (const key of FUNCTIONS) {
    const logicalId = `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`;
    const fn = await aws.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: stack.physicalId(logicalId) }),
    );
    roles[key] = await readRole(aws.iam, fn.Role ?? '');
    const [, , , region, account] = (fn.FunctionArn ?? '').split(':');
    logStream[key] =
      `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${fn.FunctionName}` +
      ':log-stream:2026/12/01/[$LATEST]0123456789abcdef';
  }
  const { Arn: bus = '' } = await aws.events.send(new DescribeEventBusCommand({ Name: 'default' }));
  // As Secrets Manager writes a secret's ARN: its name, `-` and six random characters.
  const secretNamed = (name: string) =>
    credentialsSecret.replace(/:secret:.+$/, `:secret:${name}-AbCdEf`);
  const arns: Arns = {
    table: table?.TableArn ?? '',
    openPackagesIndex: `${table?.TableArn}/index/open-packages`,
    stream: table?.LatestStreamArn ?? '',
    signingQueue: await queueArn('SigningEventsQueue'),
    signingDeadLetters: await queueArn('SigningEventsDeadLetterQueue'),
    completionDeadLetters: await queueArn('CompletionEventsDeadLetterQueue'),
    credentialsSecret,
    callbackSecret,
    tenantSecret: secretNamed('signinghub-finish/test/tenants/acme'),
    secretNamed,
    bus,
    logStream,
    archiveQueue: await queueArn('ArchiveQueue'),
    archiveDeadLetters: await queueArn('ArchiveDeadLetterQueue'),
    archiveBucket: `arn:aws:s3:::${stack.physicalId('ArchiveBucket')}`,
    archivedDocument: `arn:aws:s3:::${stack.physicalId('ArchiveBucket')}/default/4242/7.pdf`,
    kmsKey: credentialsSecret.replace(
      /^arn:aws:secretsmanager:([^:]+):([0-9]+):.+$/,
      'arn:aws:kms:$1:$2:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ),
  };
  return { roles, arns };
}, 300_000);

type Grant = readonly [action: string, resource: (arns: Arns) => string];

const logs = (key: FunctionKey): Grant[] => [
  ['logs:CreateLogStream', (arns) => arns.logStream[key]],
  ['logs:PutLogEvents', (arns) => arns.logStream[key]],
];

/** Everything each function does, from lib/ and its event source mapping, on what it does it. */
const NEEDS: Readonly<Record<FunctionKey, readonly Grant[]>> = {
  finish: [
    // claim, retry and settle a finish; touch the package (dynamodb-finish-store, -package-store)
    ['dynamodb:UpdateItem', (arns) => arns.table],
    // a REJECTED item for a message that is no signing event (dynamodb-rejected-store)
    ['dynamodb:PutItem', (arns) => arns.table],
    ['secretsmanager:GetSecretValue', (arns) => arns.credentialsSecret],
    // a tenant's settings (lib/tenants)
    ['secretsmanager:GetSecretValue', (arns) => arns.tenantSecret],
    // hands a message back for longer while its tenant's circuit is open
    ['sqs:ChangeMessageVisibility', (arns) => arns.signingQueue],
    // what the SQS event source mapping does on finish's behalf
    ['sqs:ReceiveMessage', (arns) => arns.signingQueue],
    ['sqs:DeleteMessage', (arns) => arns.signingQueue],
    ['sqs:GetQueueAttributes', (arns) => arns.signingQueue],
    ...logs('finish'),
  ],
  callback: [
    ['dynamodb:UpdateItem', (arns) => arns.table],
    ['dynamodb:PutItem', (arns) => arns.table],
    // recordConfirmation reads the package first
    ['dynamodb:GetItem', (arns) => arns.table],
    ['secretsmanager:GetSecretValue', (arns) => arns.credentialsSecret],
    ['secretsmanager:GetSecretValue', (arns) => arns.callbackSecret],
    ['secretsmanager:GetSecretValue', (arns) => arns.tenantSecret],
    ...logs('callback'),
  ],
  reconcile: [
    // listStalePackages: the sparse index, never the table
    ['dynamodb:Query', (arns) => arns.openPackagesIndex],
    ['dynamodb:UpdateItem', (arns) => arns.table],
    ['dynamodb:GetItem', (arns) => arns.table],
    ['secretsmanager:GetSecretValue', (arns) => arns.credentialsSecret],
    ['secretsmanager:GetSecretValue', (arns) => arns.tenantSecret],
    ...logs('reconcile'),
  ],
  publish: [
    // what the stream's event source mapping does on publish's behalf
    ['dynamodb:DescribeStream', (arns) => arns.stream],
    ['dynamodb:GetRecords', (arns) => arns.stream],
    ['dynamodb:GetShardIterator', (arns) => arns.stream],
    ['events:PutEvents', (arns) => arns.bus],
    // the mapping's on-failure destination
    ['sqs:SendMessage', (arns) => arns.completionDeadLetters],
    ...logs('publish'),
  ],
  archive: [
    // read the package, record each document and the outcome (lib/archive); a REJECTED item
    ['dynamodb:GetItem', (arns) => arns.table],
    ['dynamodb:UpdateItem', (arns) => arns.table],
    ['dynamodb:PutItem', (arns) => arns.table],
    ['secretsmanager:GetSecretValue', (arns) => arns.credentialsSecret],
    ['secretsmanager:GetSecretValue', (arns) => arns.tenantSecret],
    // a document streamed into the bucket: PutObject, or a multipart upload's start, parts and
    // completion (all s3:PutObject), and the abort of one cut off
    ['s3:PutObject', (arns) => arns.archivedDocument],
    ['s3:AbortMultipartUpload', (arns) => arns.archivedDocument],
    // what the SQS event source mapping does on archive's behalf
    ['sqs:ReceiveMessage', (arns) => arns.archiveQueue],
    ['sqs:DeleteMessage', (arns) => arns.archiveQueue],
    ['sqs:GetQueueAttributes', (arns) => arns.archiveQueue],
    ...logs('archive'),
  ],
};

/** A resource of the same kind that is not the function's: another table, queue, secret, bus. */
const lookalike = (resource: string): string =>
  resource
    .replace(/:table\/[^/]+/, ':table/another-table')
    .replace(/:secret:[^:]+$/, ':secret:another/secret-AbCdEf')
    .replace(/:event-bus\/.+$/, ':event-bus/another-bus')
    .replace(/:log-group:[^:]+/, ':log-group:/aws/lambda/another-function')
    .replace(/^(arn:aws:sqs:[^:]+:[0-9]+:).+$/, '$1another-queue')
    .replace(/^arn:aws:s3:::[^/]+/, 'arn:aws:s3:::another-bucket');

const rows = (key: FunctionKey) =>
  NEEDS[key].map(([action, resource]) => ({ key, action, resource }));

describe('the deployed roles, evaluated by an IAM policy simulator', () => {
  it('gives each function a role of its own with inline policies only', () => {
    const { roles } = deployed();
    const names = FUNCTIONS.map((key) => roles[key].roleName);
    expect(new Set(names).size).toBe(FUNCTIONS.length);
    for (const key of FUNCTIONS) {
      expect(roles[key].roleName).toBe(`signinghub-finish-test-${key}-eu-west-1-lambdaRole`);
      expect(roles[key].attachedPolicyArns).toEqual([]);
      expect(roles[key].policies.length).toBeGreaterThan(0);
    }
  });

  it.each(FUNCTIONS.flatMap(rows))('lets $key do $action on its own resource', async (row) => {
    const { roles, arns } = deployed();
    expect(await decide(roles[row.key], row.action, row.resource(arns))).toBe('Allowed');
  });

  it.each(FUNCTIONS.flatMap(rows))(
    'denies $key $action on anything else of that kind',
    async (row) => {
      const { roles, arns } = deployed();
      const elsewhere = lookalike(row.resource(arns));
      expect(elsewhere).not.toBe(row.resource(arns));
      expect(await decide(roles[row.key], row.action, elsewhere)).not.toBe('Allowed');
    },
  );

  it.each([
    ['reconcile', 'scan the table', 'dynamodb:Scan', (arns: Arns) => arns.table],
    ['reconcile', 'scan the index', 'dynamodb:Scan', (arns: Arns) => arns.openPackagesIndex],
    ['callback', 'receive from the queue', 'sqs:ReceiveMessage', (arns: Arns) => arns.signingQueue],
    ['callback', 'delete from the queue', 'sqs:DeleteMessage', (arns: Arns) => arns.signingQueue],
    [
      'finish',
      'read the callback secret',
      'secretsmanager:GetSecretValue',
      (arns: Arns) => arns.callbackSecret,
    ],
    ['publish', 'put an item', 'dynamodb:PutItem', (arns: Arns) => arns.table],
    ['publish', 'update an item', 'dynamodb:UpdateItem', (arns: Arns) => arns.table],
    ['publish', 'delete an item', 'dynamodb:DeleteItem', (arns: Arns) => arns.table],
    ['publish', 'write a batch', 'dynamodb:BatchWriteItem', (arns: Arns) => arns.table],
    ['publish', 'read a tenant secret', GET_SECRET, (arns: Arns) => arns.tenantSecret],
    [
      'callback',
      'change a message visibility',
      'sqs:ChangeMessageVisibility',
      (arns: Arns) => arns.signingQueue,
    ],
    [
      'reconcile',
      'change a message visibility',
      'sqs:ChangeMessageVisibility',
      (arns: Arns) => arns.signingQueue,
    ],
    [
      'finish',
      'change a message visibility on the dead-letter queue',
      'sqs:ChangeMessageVisibility',
      (arns: Arns) => arns.signingDeadLetters,
    ],
  ] as const)('denies %s to %s', async (key, _what, action, resource) => {
    const { roles, arns } = deployed();
    expect(await decide(roles[key], action, resource(arns))).not.toBe('Allowed');
  });

  it('lets reconcile query the registry of tenants, and no other partition of the table', async () => {
    const { roles, arns } = deployed();
    const query = (keys: string[]) =>
      decide(roles.reconcile, 'dynamodb:Query', arns.table, { 'dynamodb:LeadingKeys': keys });
    expect(await query(['TENANTS'])).toBe('Allowed');
    expect(await query(['PACKAGE#1'])).not.toBe('Allowed');
    expect(await query(['TENANT#acme#PACKAGE#1'])).not.toBe('Allowed');
    expect(await query(['TENANTS', 'PACKAGE#1'])).not.toBe('Allowed');
    // Only reconcile lists the tenants; a registry write is finish's and callback's.
    expect(await decide(roles.reconcile, 'dynamodb:PutItem', arns.table)).not.toBe('Allowed');
  });

  it.each(FUNCTIONS)('denies %s deleting the table or any queue', async (key) => {
    const { roles, arns } = deployed();
    expect(await decide(roles[key], 'dynamodb:DeleteTable', arns.table)).not.toBe('Allowed');
    for (const queue of [
      arns.signingQueue,
      arns.signingDeadLetters,
      arns.completionDeadLetters,
      arns.archiveQueue,
      arns.archiveDeadLetters,
    ]) {
      expect(await decide(roles[key], 'sqs:DeleteQueue', queue)).not.toBe('Allowed');
      expect(await decide(roles[key], 'sqs:PurgeQueue', queue)).not.toBe('Allowed');
    }
  });
});

/** What the archive function must never do to the bucket, its documents or a key. */
const ARCHIVE_MUST_NOT: readonly (readonly [
  action: string,
  what: string,
  resource: (arns: Arns) => string,
])[] = [
  ['s3:GetObject', 'a document', (arns) => arns.archivedDocument],
  ['s3:GetObjectVersion', 'a document', (arns) => arns.archivedDocument],
  ['s3:DeleteObject', 'a document', (arns) => arns.archivedDocument],
  ['s3:DeleteObjectVersion', 'a document', (arns) => arns.archivedDocument],
  ['s3:PutObjectAcl', 'a document', (arns) => arns.archivedDocument],
  ['s3:PutObjectTagging', 'a document', (arns) => arns.archivedDocument],
  ['s3:ListBucket', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:ListBucketMultipartUploads', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:PutBucketPolicy', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:DeleteBucketPolicy', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:PutBucketVersioning', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:PutLifecycleConfiguration', 'the bucket', (arns) => arns.archiveBucket],
  ['s3:DeleteBucket', 'the bucket', (arns) => arns.archiveBucket],
  // the objects of the stack's bucket only, not those of a bucket whose name starts like it
  // (another bucket: the lookalikes above)
  [
    's3:PutObject',
    'a bucket whose name starts like it',
    (arns) => `${arns.archiveBucket}-copy/default/4242/7.pdf`,
  ],
  // SSE-S3: no key at all
  ['kms:GenerateDataKey', 'a key', (arns) => arns.kmsKey],
  ['kms:Decrypt', 'a key', (arns) => arns.kmsKey],
  // the queue's messages come through the mapping; nothing sends or hands one back
  ['sqs:SendMessage', 'its queue', (arns) => arns.archiveQueue],
  ['sqs:ChangeMessageVisibility', 'its queue', (arns) => arns.archiveQueue],
  ['sqs:ReceiveMessage', 'its dead-letter queue', (arns) => arns.archiveDeadLetters],
  ['events:PutEvents', 'the bus', (arns) => arns.bus],
  ['dynamodb:Query', 'the table', (arns) => arns.table],
  ['dynamodb:DeleteItem', 'the table', (arns) => arns.table],
];

describe("the archive's role, evaluated by an IAM policy simulator", () => {
  it.each(ARCHIVE_MUST_NOT.map(([action, what, resource]) => ({ action, what, resource })))(
    'denies archive $action on $what',
    async ({ action, resource }) => {
      const { roles, arns } = deployed();
      // A key's decision needs its key policy as well: KMS's default, which leaves it to IAM.
      const keyPolicy = action.startsWith('kms:')
        ? defaultKeyPolicy(roles.archive.accountId)
        : undefined;
      expect(await decide(roles.archive, action, resource(arns), {}, keyPolicy)).not.toBe(
        'Allowed',
      );
    },
  );

  it.each(FUNCTIONS.filter((key) => key !== 'archive'))(
    'denies %s writing, reading or deleting an archived document',
    async (key) => {
      const { roles, arns } = deployed();
      for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject']) {
        expect(await decide(roles[key], action, arns.archivedDocument), action).not.toBe('Allowed');
      }
    },
  );
});

/** Secrets outside the tenants' prefix of stage `test` that a careless grant could still reach. */
const OUTSIDE_THE_PREFIX = [
  ["another stage's tenant", 'signinghub-finish/prod/tenants/acme'],
  ['one named as the prefix without its slash', 'signinghub-finish/test/tenants'],
  ['one whose name merely starts like the prefix', 'signinghub-finish/test/tenantsx/acme'],
  ["one beside the stage's own", 'signinghub-finish/test/other'],
] as const;

describe("the tenant secrets' grant, evaluated by an IAM policy simulator", () => {
  it.each(
    TENANT_READERS.flatMap((key) =>
      OUTSIDE_THE_PREFIX.map(([what, name]) => ({ key, what, name })),
    ),
  )('denies $key reading $what', async ({ key, name }) => {
    const { roles, arns } = deployed();
    expect(await decide(roles[key], GET_SECRET, arns.secretNamed(name))).not.toBe('Allowed');
  });

  it.each(TENANT_READERS)(
    'lets %s read a tenant secret through that grant, and neither the credentials nor the callback secret',
    async (key) => {
      const { roles, arns } = deployed();
      // The statements that each alone let the function read a tenant's secret: the grant.
      const grants = [];
      for (const statement of eachStatement(roles[key])) {
        const decision = await decide(statement, GET_SECRET, arns.tenantSecret);
        if (decision === 'Allowed') grants.push(statement);
      }
      expect(grants).toHaveLength(1);
      for (const grant of grants) {
        expect(await decide(grant, GET_SECRET, arns.credentialsSecret)).not.toBe('Allowed');
        expect(await decide(grant, GET_SECRET, arns.callbackSecret)).not.toBe('Allowed');
      }
    },
  );

  it.each(TENANT_READERS)('lets %s do nothing to a tenant secret but read it', async (key) => {
    const { roles, arns } = deployed();
    for (const action of [
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetResourcePolicy',
    ]) {
      expect(await decide(roles[key], action, arns.tenantSecret), action).not.toBe('Allowed');
    }
  });
});
