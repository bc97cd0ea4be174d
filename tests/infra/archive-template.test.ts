import { describe, expect, it } from 'vitest';
import {
  COMPLETED_DETAIL_TYPE,
  parseArchiveMessage,
  STACK_EVENT_SOURCE,
} from '../../lib/archive/archive-request.ts';
import { packagedTemplates, placeholder } from '../support/alarm-templates.ts';
import {
  actionsOf,
  type CfnTemplate,
  environmentOf,
  lambdaFunction,
  lambdaRole,
  resource,
  resourcesOfType,
  roleStatements,
} from '../support/cloudformation.ts';
import { ARCHIVE_KMS_KEY_ARN, OWN_ARCHIVE_BUCKET } from '../support/packaged-services.ts';

const templates = packagedTemplates(['default', 'noArchive', 'archiveKms', 'ownArchiveBucket']);

const OBJECTS_OF_THE_STACKS_BUCKET = {
  'Fn::Sub': `arn:${placeholder('AWS::Partition')}:s3:::${placeholder('ArchiveBucket')}/*`,
};

const archiveStatements = (template: CfnTemplate) =>
  roleStatements(lambdaRole(template, 'archive'));

/** The statements of archive's role that name an action of `service` (`s3`, `kms`). */
const statementsFor = (template: CfnTemplate, service: string) =>
  archiveStatements(template).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith(`${service}:`)),
  );

const mapping = (template: CfnTemplate) =>
  resource(template, 'ArchiveEventSourceMappingSQSArchiveQueue');

describe('the archive function', () => {
  it("runs functions/archive.handler for up to 900 s with 256 MB, writing to the stack's bucket", () => {
    expect(lambdaFunction(templates.default, 'archive').Properties).toMatchObject({
      Handler: 'functions/archive.handler',
      Runtime: 'nodejs24.x',
      Timeout: 900,
      MemorySize: 256,
      Description: expect.stringContaining('signed documents'),
    });
    const environment = environmentOf(templates.default, 'archive');
    expect(environment).toMatchObject({
      ARCHIVE_BUCKET: { Ref: 'ArchiveBucket' },
      TENANTS_SECRET_PREFIX: 'signinghub-finish/test/tenants/',
      TABLE_NAME: 'signinghub-finish-test',
      SIGNINGHUB_CREDENTIALS_SECRET: 'signinghub-finish/test/credentials',
    });
    // publish sends the archive's events, from the table's stream.
    expect(environment).not.toHaveProperty('EVENT_BUS_NAME');
  });

  it('takes one message of ArchiveQueue at a time, with partial batch responses and a concurrency cap', () => {
    expect(mapping(templates.default).Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['ArchiveLambdaFunction', 'Arn'] },
      BatchSize: 1,
      Enabled: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('may write objects under the bucket, and nothing else of S3, with no KMS grant for SSE-S3', () => {
    expect(statementsFor(templates.default, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: OBJECTS_OF_THE_STACKS_BUCKET,
      },
    ]);
    expect(statementsFor(templates.default, 'kms')).toEqual([]);
    // Its other grants: tests/infra/serverless-template.test.ts.
  });
});

describe('ArchiveQueue and its dead-letter queue', () => {
  it('hide a message for six function timeouts and dead-letter it after five receives', () => {
    const queue = resource(templates.default, 'ArchiveQueue').Properties;
    expect(queue).toMatchObject({
      VisibilityTimeout: 5400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['ArchiveDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    const timeout = Number(lambdaFunction(templates.default, 'archive').Properties.Timeout);
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
    expect(resource(templates.default, 'ArchiveDeadLetterQueue').Properties).toEqual({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
  });

  it("are fed by a rule on the stack's bus that matches the completion events of COMPLETED packages", () => {
    expect(resource(templates.default, 'ArchiveRule').Properties).toMatchObject({
      EventBusName: 'default',
      EventPattern: { source: ['signinghub.finish'], 'detail-type': ['SigningPackageCompleted'] },
      Targets: [{ Id: 'archive-queue', Arn: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] } }],
    });
    // What the rule delivers is what the function takes as an archive request.
    expect([STACK_EVENT_SOURCE, COMPLETED_DETAIL_TYPE]).toEqual([
      'signinghub.finish',
      'SigningPackageCompleted',
    ]);
    const delivered = {
      version: '0',
      id: '6f1c0d3e-0000-4000-8000-000000000001',
      'detail-type': COMPLETED_DETAIL_TYPE,
      source: STACK_EVENT_SOURCE,
      account: '123456789012',
      time: '2026-12-07T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { packageId: 4242, status: 'COMPLETED', at: '2026-12-07T10:00:00.000Z' },
    };
    expect(parseArchiveMessage(JSON.stringify(delivered))).toEqual({
      ok: true,
      request: { packageId: 4242, tenant: 'default', force: false },
    });
  });

  it('let that rule alone send to ArchiveQueue', () => {
    const policy = resource(templates.default, 'ArchiveQueuePolicy').Properties;
    expect(policy.Queues).toEqual([{ Ref: 'ArchiveQueue' }]);
    expect(policy.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ArchiveRule', 'Arn'] } } },
        },
      ],
    });
  });

  it('are named in the outputs the operator commands read', () => {
    expect(templates.default.Outputs).toMatchObject({
      ArchiveBucketName: { Value: { Ref: 'ArchiveBucket' } },
      ArchiveQueueUrl: { Value: { Ref: 'ArchiveQueue' } },
      ArchiveDeadLetterQueueUrl: { Value: { Ref: 'ArchiveDeadLetterQueue' } },
    });
  });
});

describe("the stack's archive bucket", () => {
  it('blocks all public access, encrypts with SSE-S3 and keeps versions', () => {
    expect(resource(templates.default, 'ArchiveBucket').Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // CloudFormation names it: a name of the stack's could be taken in another account.
    expect(resource(templates.default, 'ArchiveBucket').Properties).not.toHaveProperty(
      'BucketName',
    );
  });

  it('aborts incomplete multipart uploads after 7 days and expires old versions after 365', () => {
    expect(resource(templates.default, 'ArchiveBucket').Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'abort-incomplete-multipart-uploads',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
        {
          Id: 'expire-noncurrent-versions',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 365 },
        },
      ],
    });
  });

  it('is retained, with its documents, when the stack or the archive is removed or it would be replaced', () => {
    expect(resource(templates.default, 'ArchiveBucket')).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('refuses every request that does not come over TLS', () => {
    const policy = resource(templates.default, 'ArchiveBucketPolicy').Properties;
    expect(policy.Bucket).toEqual({ Ref: 'ArchiveBucket' });
    expect(policy.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyRequestsWithoutTls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [
            { 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] },
            { 'Fn::Sub': `${placeholder('ArchiveBucket.Arn')}/*` },
          ],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });
});

describe('the archive with a KMS key (archiveKmsKeyArn)', () => {
  it('encrypts the bucket with that key, one bucket key for many objects', () => {
    expect(resource(templates.archiveKms, 'ArchiveBucket').Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: ARCHIVE_KMS_KEY_ARN,
          },
          BucketKeyEnabled: true,
        },
      ],
    });
  });

  it('lets the function make and read data keys of that key, and of no other', () => {
    expect(statementsFor(templates.archiveKms, 'kms')).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: ARCHIVE_KMS_KEY_ARN,
      },
    ]);
  });
});

/** The buckets of a template but the one `serverless deploy` uploads the artifacts to. */
const buckets = (template: CfnTemplate) =>
  resourcesOfType(template, 'AWS::S3::Bucket')
    .map(([id]) => id)
    .filter((id) => id !== 'ServerlessDeploymentBucket');

describe('the archive in a bucket of your own (archiveBucketName)', () => {
  it('makes no bucket and puts no policy on any bucket', () => {
    expect(buckets(templates.ownArchiveBucket)).toEqual([]);
    // The deployment bucket's alone.
    expect(
      resourcesOfType(templates.ownArchiveBucket, 'AWS::S3::BucketPolicy').map(
        ([, policy]) => policy.Properties.Bucket,
      ),
    ).toEqual([{ Ref: 'ServerlessDeploymentBucket' }]);
  });

  it('archives into that bucket, and lets the function write only its objects', () => {
    const own = templates.ownArchiveBucket;
    expect(environmentOf(own, 'archive').ARCHIVE_BUCKET).toBe(OWN_ARCHIVE_BUCKET);
    expect(own.Outputs?.ArchiveBucketName).toMatchObject({ Value: OWN_ARCHIVE_BUCKET });
    expect(statementsFor(own, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: {
          'Fn::Sub': `arn:${placeholder('AWS::Partition')}:s3:::${OWN_ARCHIVE_BUCKET}/*`,
        },
      },
    ]);
  });
});

describe('archiveDocuments: false', () => {
  const archiveIds = (template: CfnTemplate) =>
    Object.keys(template.Resources).filter((id) => id.startsWith('Archive'));

  it('leaves the function, its role, mapping, queues, rule, policy, bucket and alarms out', () => {
    expect(archiveIds(templates.noArchive)).toEqual([]);
    // Everything else is the default stack's: what the archive adds all carries its name. (A
    // function version's id ends in a hash of its code: not compared.)
    const ids = (template: CfnTemplate) =>
      Object.keys(template.Resources).filter((id) => !/LambdaVersion/.test(id));
    expect(ids(templates.noArchive).sort()).toEqual(
      ids(templates.default)
        .filter((id) => !id.startsWith('Archive'))
        .sort(),
    );
    expect(archiveIds(templates.default)).toEqual(
      expect.arrayContaining(['ArchiveLambdaFunction', 'ArchiveBucket', 'ArchiveRule']),
    );
    expect(buckets(templates.noArchive)).toEqual([]);
    expect(buckets(templates.default)).toEqual(['ArchiveBucket']);
  });

  it('has no archive output, and no dashboard widget naming the archive', () => {
    const outputs = Object.keys(templates.noArchive.Outputs ?? {});
    expect(outputs.filter((name) => name.startsWith('Archive'))).toEqual([]);
    const body = JSON.stringify(resource(templates.noArchive, 'Dashboard').Properties);
    expect(body).not.toMatch(/archive/i);
  });
});
