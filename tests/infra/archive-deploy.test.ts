import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { withDeployTools } from '../support/deploy-tools.ts';
import { packagedWithMoto } from '../support/moto-clients.ts';
import { deployToMoto, redeployToMoto } from '../support/moto-deploy.ts';
import { packagedService } from '../support/packaged-services.ts';

const MAPPING = 'ArchiveEventSourceMappingSQSArchiveQueue';

/** The default configuration in a moto of its own; the archive's mapping disabled, so the test reads the queue. */
const deployed = withDeployTools(async (defer) => {
  const { service, moto, aws } = await packagedWithMoto(defer, 'default', (config) => ({
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    events: new EventBridgeClient(config),
    cloudWatch: new CloudWatchClient(config),
  }));
  const stack = await deployToMoto(service, moto);
  const mapping = await aws.lambda.send(
    new GetEventSourceMappingCommand({ UUID: stack.physicalId(MAPPING) }),
  );
  // moto would hand each message to a function it cannot run without Docker, and lose it.
  await aws.lambda.send(
    new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }),
  );
  return { service, moto, stack, mapping, ...aws };
}, 300_000);

const queueAttributes = async (logicalId: string) => {
  const { sqs, stack } = deployed();
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.physicalId(logicalId),
      AttributeNames: ['All' satisfies QueueAttributeName],
    }),
  );
  return attributes;
};

const bucket = () => deployed().stack.physicalId('ArchiveBucket');

/** An event on the stack's bus, as publish sends it. */
const putEvent = async (
  detailType: string,
  detail: Record<string, unknown>,
  source = 'signinghub.finish',
) => {
  const { FailedEntryCount: failed } = await deployed().events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'default',
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  expect(failed).toBe(0);
};

const archiveRequests = async () => {
  const { sqs, stack } = deployed();
  const { Messages: messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.physicalId('ArchiveQueue'),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
    }),
  );
  return messages.map((message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
};

describe('the archive, deployed into moto with the default configuration', () => {
  it('reaches UPDATE_COMPLETE with the bucket, both queues, the rule, the function and its mapping', () => {
    const { stack } = deployed();
    expect(stack.logicalIds).toEqual(
      expect.arrayContaining([
        'ArchiveBucket',
        'ArchiveQueue',
        'ArchiveDeadLetterQueue',
        'ArchiveRule',
        'ArchiveLambdaFunction',
        'ArchiveIamRoleLambdaExecution',
        MAPPING,
      ]),
    );
    expect(stack.outputs).toMatchObject({
      ArchiveBucketName: bucket(),
      ArchiveQueueUrl: stack.physicalId('ArchiveQueue'),
      ArchiveDeadLetterQueueUrl: stack.physicalId('ArchiveDeadLetterQueue'),
    });
  });

  // moto's CloudFormation applies a bucket's encryption and tags only, not its public access block,
  // versioning, ownership or lifecycle: tests/infra/archive-template.test.ts asserts those.
  it('makes the bucket, encrypted with SSE-S3', async () => {
    const { ServerSideEncryptionConfiguration: encryption } = await deployed().s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket() }),
    );
    expect(encryption?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
  });

  it('redrives ArchiveQueue to its dead-letter queue after five receives, hidden six function timeouts', async () => {
    const queue = await queueAttributes('ArchiveQueue');
    const deadLetters = await queueAttributes('ArchiveDeadLetterQueue');
    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: deadLetters.QueueArn,
      maxReceiveCount: 5,
    });
    expect(queue.VisibilityTimeout).toBe('5400');
    expect(queue.SqsManagedSseEnabled).toBe('true');
    expect(deadLetters.MessageRetentionPeriod).toBe('1209600');
    expect(deadLetters.SqsManagedSseEnabled).toBe('true');
  });

  it('runs archive for 900 s with 256 MB, one message at a time, at most five at once', async () => {
    const { lambda, stack, mapping } = deployed();
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({
        FunctionName: stack.physicalId('ArchiveLambdaFunction'),
      }),
    );
    expect(config).toMatchObject({
      FunctionName: 'signinghub-finish-test-archive',
      Handler: 'functions/archive.handler',
      Runtime: 'nodejs24.x',
      Timeout: 900,
      MemorySize: 256,
    });
    expect(config.Environment?.Variables).toMatchObject({
      ARCHIVE_BUCKET: bucket(),
      TENANTS_SECRET_PREFIX: 'signinghub-finish/test/tenants/',
      TABLE_NAME: 'signinghub-finish-test',
    });
    expect(config.Environment?.Variables).not.toHaveProperty('EVENT_BUS_NAME');
    expect(mapping).toMatchObject({
      EventSourceArn: (await queueAttributes('ArchiveQueue')).QueueArn,
      FunctionArn: config.FunctionArn,
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it("puts each SigningPackageCompleted event on the stack's bus on ArchiveQueue, and no other event", async () => {
    const detail = { packageId: 8101, status: 'COMPLETED', at: '2026-12-07T10:00:00.000Z' };
    await putEvent('SigningPackageDeclined', { ...detail, packageId: 8102, status: 'DECLINED' });
    await putEvent('SigningPackageCompleted', { ...detail, packageId: 8103 }, 'another.source');
    await putEvent('SigningPackageCompleted', detail);
    expect(await archiveRequests()).toEqual([
      expect.objectContaining({
        source: 'signinghub.finish',
        'detail-type': 'SigningPackageCompleted',
        detail,
      }),
    ]);
  });

  it('watches the deployed function and queues, and the ArchiveFailed metric, by their real names', async () => {
    const { cloudWatch, stack } = deployed();
    const { MetricAlarms: alarms = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `${stack.stackName}-archive` }),
    );
    const named = (suffix: string) =>
      alarms.find((alarm) => alarm.AlarmName === `${stack.stackName}-${suffix}`);
    const queueName = (logicalId: string) => stack.physicalId(logicalId).split('/').pop();
    const fn = [{ Name: 'FunctionName', Value: 'signinghub-finish-test-archive' }];
    expect(named('archive-errors')).toMatchObject({ MetricName: 'Errors', Dimensions: fn });
    expect(named('archive-throttles')).toMatchObject({ MetricName: 'Throttles', Dimensions: fn });
    expect(named('archive-dead-letters')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName('ArchiveDeadLetterQueue') }],
    });
    expect(named('archive-queue-age')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueName('ArchiveQueue') }],
      Threshold: 14_400,
    });
    const { MetricAlarms: failed = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [`${stack.stackName}-archives-failed`] }),
    );
    expect(failed[0]).toMatchObject({
      Namespace: 'SigningHubFinish',
      MetricName: 'ArchiveFailed',
      Dimensions: [{ Name: 'service', Value: 'signinghub-finish-test' }],
      OKActions: [],
    });
  });

  // Last: it changes the stack. The bucket keeps a document, as it would in use: moto deletes an
  // empty bucket a stack update drops even with DeletionPolicy Retain (AWS keeps it), and leaves
  // one with objects in place; the policy itself is tests/infra/archive-template.test.ts's.
  it('keeps the bucket and its documents when archiveDocuments is turned off, and removes the rest', async () => {
    const { s3, lambda, moto, stack } = deployed();
    const kept = bucket();
    await s3.send(
      new PutObjectCommand({ Bucket: kept, Key: 'default/8101/1.pdf', Body: '%PDF-1.7 signed' }),
    );
    const off = await redeployToMoto(await packagedService('noArchive'), moto, stack);
    expect(off.logicalIds.filter((id) => id.startsWith('Archive'))).toEqual([]);
    expect(off.outputs).not.toHaveProperty('ArchiveQueueUrl');
    const object = await s3.send(new GetObjectCommand({ Bucket: kept, Key: 'default/8101/1.pdf' }));
    expect(await object.Body?.transformToString()).toBe('%PDF-1.7 signed');
    await expect(
      lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'signinghub-finish-test-archive' }),
      ),
    ).rejects.toThrow(/not found/i);
  });
});
