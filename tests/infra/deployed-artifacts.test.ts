import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyStructuredResultV2,
  DynamoDBBatchResponse,
  SQSBatchResponse,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type LambdaEnvironment, startLambdaEnvironment } from '../../harness/lambda-runtime.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import { finishKey, packageKey, type TableKey } from '../../lib/store/keys.ts';
import { type AwsCall, startAwsCallRecorder } from '../support/aws-call-recorder.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { type DeployedCode, deployedCode } from '../support/deployed-functions.ts';
import { readStreamBatches, receiveSqsBatch, settleSqsBatch } from '../support/event-sources.ts';
import { callbackEvent, signingEventBody } from '../support/factories.ts';
import { decide, readRole } from '../support/iam-evaluation.ts';
import { packagedWithMoto } from '../support/moto-clients.ts';
import { deployToMoto } from '../support/moto-deploy.ts';
import { startS3CallRecorder } from '../support/s3-call-recorder.ts';

const FUNCTIONS = {
  finish: 'FinishLambdaFunction',
  callback: 'CallbackLambdaFunction',
  publish: 'PublishLambdaFunction',
  archive: 'ArchiveLambdaFunction',
} as const;
type FunctionKey = keyof typeof FUNCTIONS;
const MAPPINGS = {
  finish: 'FinishEventSourceMappingSQSSigningEventsQueue',
  publish: 'PublishEventSourceMappingDynamodbTable',
  archive: 'ArchiveEventSourceMappingSQSArchiveQueue',
} as const;
const CALLBACK_SECRET = 'deployed-callback-secret-0123456789abcdef';

const deployed = withDeployTools(async (defer) => {
  const { service, moto, aws } = await packagedWithMoto(defer, 'default', (config) => ({
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    dynamoDb: new DynamoDBClient(config),
    streams: new DynamoDBStreamsClient(config),
    events: new EventBridgeClient(config),
    secrets: new SecretsManagerClient(config),
    iam: new IAMClient(config),
  }));
  // The two secrets the README has an operator create before the first deploy.
  const { clientId, clientSecret, username, password } = DEFAULT_SIMULATOR_CREDENTIALS;
  const credentials = { client_id: clientId, client_secret: clientSecret, username, password };
  await aws.secrets.send(
    new CreateSecretCommand({
      Name: 'signinghub-finish/test/credentials',
      SecretString: JSON.stringify(credentials),
    }),
  );
  await aws.secrets.send(
    new CreateSecretCommand({
      Name: 'signinghub-finish/test/callback',
      SecretString: CALLBACK_SECRET,
    }),
  );
  const stack = await deployToMoto(service, moto);
  const simulator = await startSimulator();
  defer(() => simulator.close());

  // From here the test is both mappings' event source: moto's own would hand the records to a
  // function it cannot run without Docker, and lose them.
  const mappings = {
    finish: await aws.lambda.send(
      new GetEventSourceMappingCommand({ UUID: stack.physicalId(MAPPINGS.finish) }),
    ),
    publish: await aws.lambda.send(
      new GetEventSourceMappingCommand({ UUID: stack.physicalId(MAPPINGS.publish) }),
    ),
    archive: await aws.lambda.send(
      new GetEventSourceMappingCommand({ UUID: stack.physicalId(MAPPINGS.archive) }),
    ),
  };
  for (const mapping of Object.values(mappings)) {
    await aws.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }),
    );
  }

  const code = {} as Record<FunctionKey, DeployedCode>;
  const lambdas = {} as Record<FunctionKey, LambdaEnvironment>;
  // Only the endpoints change: SigningHub is the simulator, and AWS is moto, through a recorder
  // that notes each call and who made it (each function signs with an access key of its name).
  const recorder = await startAwsCallRecorder(moto.endpoint);
  defer(() => recorder.close());
  const s3Recorder = await startS3CallRecorder(moto.endpoint);
  defer(() => s3Recorder.close());
  const overrides = (key: FunctionKey) => ({
    SIGNINGHUB_BASE_URL: simulator.url,
    DYNAMODB_ENDPOINT: recorder.endpoint,
    AWS_ENDPOINT_URL: recorder.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: recorder.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: recorder.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: recorder.endpoint,
    AWS_ENDPOINT_URL_S3: s3Recorder.endpoint,
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: 'moto',
  });
  for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
    code[key] = await deployedCode(aws, stack, FUNCTIONS[key]);
    const lambda = await startLambdaEnvironment(code[key], overrides(key));
    defer(() => lambda.stop());
    lambdas[key] = lambda;
  }

  // A subscriber of the completion events: a rule on publish's bus, into a queue the test reads.
  const { QueueUrl: probeUrl = '' } = await aws.sqs.send(
    new CreateQueueCommand({ QueueName: 'completion-events-subscriber' }),
  );
  const { Attributes: probe = {} } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: probeUrl, AttributeNames: ['QueueArn'] }),
  );
  const bus = code.publish.environment.EVENT_BUS_NAME;
  await aws.events.send(
    new PutRuleCommand({
      Name: 'completion-events-subscriber',
      EventBusName: bus,
      EventPattern: JSON.stringify({ source: ['signinghub.finish'] }),
    }),
  );
  await aws.events.send(
    new PutTargetsCommand({
      Rule: 'completion-events-subscriber',
      EventBusName: bus,
      Targets: [{ Id: 'subscriber', Arn: probe.QueueArn }],
    }),
  );
  return {
    service,
    stack,
    simulator,
    mappings,
    code,
    lambdas,
    probeUrl,
    recorder,
    s3Recorder,
    ...aws,
  };
}, 300_000);

const queueUrl = () => deployed().stack.physicalId('SigningEventsQueue');

const itemAt = async (key: TableKey) => {
  const { dynamoDb, stack } = deployed();
  const { Item: item } = await dynamoDb.send(
    new GetItemCommand({
      TableName: stack.physicalId('Table'),
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
      ConsistentRead: true,
    }),
  );
  return item;
};

/** One poll of the queue by the mapping, finish's answer, and what the mapping does with it. */
const finishFromQueue = async () => {
  const { sqs, mappings, lambdas } = deployed();
  const batch = await receiveSqsBatch(sqs, queueUrl(), mappings.finish);
  const answer = await lambdas.finish.invoke<SQSBatchResponse>(batch.event);
  const left = await settleSqsBatch(sqs, queueUrl(), mappings.finish, batch, answer);
  return { batch, answer, left };
};

const sendSigningEvent = async (packageId: number, signerEmail: string) => {
  const { sqs } = deployed();
  const { MessageId: id } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl(),
      MessageBody: signingEventBody({ packageId, signerEmail }),
    }),
  );
  return id;
};

const messagesOnQueue = async () => {
  const { Attributes: attributes = {} } = await deployed().sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl(),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.ApproximateNumberOfMessages) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible)
  );
};

describe('the deployed artifacts, run as Lambda runs them against the deployed resources', () => {
  it('runs the zip each function holds, whose handler its configuration names', async () => {
    const { service, code } = deployed();
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const packaged = await readFile(service.zipPath(key));
      expect(createHash('sha256').update(packaged).digest('base64')).toBe(code[key].codeSha256);
      expect(code[key]).toMatchObject({
        handler: `functions/${key}.handler`,
        runtime: 'nodejs24.x',
      });
    }
  });

  it('finishes a signing event from the deployed queue into a SUCCEEDED item and deletes its message', async () => {
    const { simulator } = deployed();
    simulator.createPackage(5001, ['alice@example.com']);
    await sendSigningEvent(5001, 'alice@example.com');
    const { batch, answer, left } = await finishFromQueue();
    expect(batch.event.Records).toHaveLength(1);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(left).toEqual([]);
    expect(await messagesOnQueue()).toBe(0);
    const item = await itemAt(finishKey({ packageId: 5001, signer: 'alice@example.com' }));
    expect(item?.status?.S).toBe('SUCCEEDED');
    expect((await itemAt(packageKey(5001)))?.status?.S).toBe('IN_PROGRESS');
    expect(simulator.count('finish', 5001)).toBe(1);
  });

  it('leaves on the queue exactly the messages finish reports in batchItemFailures', async () => {
    const { simulator, sqs } = deployed();
    simulator.createPackage(5002, ['bob@example.com']);
    simulator.createPackage(5003, ['carol@example.com']);
    // Two refusals of the signer's token: the finish is retried later, the message kept.
    simulator.script(5002, 'finish', { status: 401 }, { status: 401 });
    const kept = await sendSigningEvent(5002, 'bob@example.com');
    await sendSigningEvent(5003, 'carol@example.com');
    const { batch, answer, left } = await finishFromQueue();
    expect(batch.event.Records).toHaveLength(2);
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: kept }]);
    expect(left).toEqual([kept]);
    expect(
      (await itemAt(finishKey({ packageId: 5002, signer: 'bob@example.com' })))?.status?.S,
    ).toBe('RETRYING');
    expect(
      (await itemAt(finishKey({ packageId: 5003, signer: 'carol@example.com' })))?.status?.S,
    ).toBe('SUCCEEDED');
    // Only the failed message is left, hidden until its visibility timeout; show it now.
    expect(await messagesOnQueue()).toBe(1);
    const receipt = batch.messages.find((message) => message.MessageId === kept)?.ReceiptHandle;
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl(),
        ReceiptHandle: receipt,
        VisibilityTimeout: 0,
      }),
    );
    const { Messages: again = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl() }),
    );
    expect(again.map((message) => message.MessageId)).toEqual([kept]);
  });

  it('publishes SigningPackageCompleted on the deployed bus once the callback makes the package final', async () => {
    const { simulator, lambdas, streams, mappings, sqs, probeUrl } = deployed();
    simulator.createPackage(5004, ['dave@example.com']);
    await sendSigningEvent(5004, 'dave@example.com');
    expect((await finishFromQueue()).answer).toEqual({ batchItemFailures: [] });
    const answer = await lambdas.callback.invoke<APIGatewayProxyStructuredResultV2>(
      callbackEvent({ method: 'GET', secret: CALLBACK_SECRET, query: { document_id: '5004' } }),
    );
    expect(answer.statusCode).toBe(200);
    expect((await itemAt(packageKey(5004)))?.status?.S).toBe('COMPLETED');

    const batches = await readStreamBatches(streams, mappings.publish);
    const records = batches.flatMap((batch) => batch.Records);
    // The mapping's filter lets through only the package items in a final status.
    expect(
      records.map((record) => [record.dynamodb?.Keys?.pk?.S, record.dynamodb?.NewImage?.status?.S]),
    ).toEqual([['PACKAGE#5004', 'COMPLETED']]);
    for (const event of batches) {
      expect(await lambdas.publish.invoke<DynamoDBBatchResponse>(event)).toEqual({
        batchItemFailures: [],
      });
    }
    const { Messages: delivered = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: probeUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(delivered.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({
        source: 'signinghub.finish',
        'detail-type': 'SigningPackageCompleted',
        detail: { packageId: 5004, status: 'COMPLETED', at: expect.any(String) },
      }),
    ]);
  });

  it('archives the package publish reported completed, from ArchiveQueue into the deployed bucket', async () => {
    const { simulator, sqs, stack, mappings, lambdas, s3 } = deployed();
    // One document past S3's 5 MiB part, so the role must allow a multipart upload too.
    const documents = [
      { documentId: 11, bytes: 5 * 1024 * 1024 + 1024 },
      { documentId: 12, bytes: 64 * 1024 },
    ];
    simulator.setDocuments(5004, documents);
    // The rule put the completion event of the test above on ArchiveQueue.
    const archiveQueue = stack.physicalId('ArchiveQueue');
    const batch = await receiveSqsBatch(sqs, archiveQueue, mappings.archive);
    expect(batch.event.Records.map((record) => JSON.parse(record.body).detail)).toEqual([
      { packageId: 5004, status: 'COMPLETED', at: expect.any(String) },
    ]);
    const answer = await lambdas.archive.invoke<SQSBatchResponse>(batch.event);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(await settleSqsBatch(sqs, archiveQueue, mappings.archive, batch, answer)).toEqual([]);
    expect((await itemAt(packageKey(5004)))?.archiveStatus?.S).toBe('ARCHIVED');
    for (const { documentId, bytes } of documents) {
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: stack.physicalId('ArchiveBucket'),
          Key: `default/5004/${documentId}.pdf`,
        }),
      );
      const stored = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      expect(stored.length).toBe(bytes);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(
        await documentSha256({ tenant: 'default', packageId: 5004, documentId, bytes }),
      );
    }
  });

  it('keeps the archive zip under its 250 KB budget with the S3 client and lib-storage bundled', async () => {
    const { service } = deployed();
    expect((await stat(service.zipPath('archive'))).size).toBeLessThan(250 * 1024);
  });

  // Last: it judges every call the tests above made the functions make.
  it.each(Object.keys(FUNCTIONS) as FunctionKey[])(
    'lets %s make every AWS call it made, on what it made it, by its deployed role',
    async (key) => {
      const { recorder, s3Recorder, code, iam } = deployed();
      const role = await readRole(iam, code[key].roleArn);
      const calls = [...recorder.calls, ...s3Recorder.calls].filter(
        (call) => call.accessKeyId === key,
      );
      expect(calls.length).toBeGreaterThan(0);
      const refused: string[] = [];
      for (const call of calls) {
        for (const resource of await resourcesOf(call)) {
          if ((await decide(role, call.action, resource)) !== 'Allowed') {
            refused.push(`${call.action} on ${resource}`);
          }
        }
      }
      expect([...new Set(refused)]).toEqual([]);
    },
  );
});

/** The ARNs a recorded call acts on, as IAM would authorize it. */
const resourcesOf = async (call: AwsCall): Promise<string[]> => {
  const { stack, secrets, code } = deployed();
  const [, , , region, account] = code.finish.functionArn.split(':');
  const prefix = (service: string) => `arn:aws:${service}:${region}:${account}`;
  const { input } = call;
  if (call.action.startsWith('dynamodb:') && typeof input.TableName === 'string') {
    const index = typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
    return [`${prefix('dynamodb')}:table/${input.TableName}${index}`];
  }
  if (call.action.startsWith('s3:') && typeof input.Bucket === 'string') {
    return [`arn:aws:s3:::${input.Bucket}${input.Key ? `/${input.Key}` : ''}`];
  }
  if (call.action === 'secretsmanager:GetSecretValue' && typeof input.SecretId === 'string') {
    const { ARN: arn } = await secrets.send(
      new DescribeSecretCommand({ SecretId: input.SecretId }),
    );
    return [arn ?? input.SecretId];
  }
  if (call.action === 'events:PutEvents' && Array.isArray(input.Entries)) {
    return (input.Entries as { EventBusName?: string }[]).map(
      ({ EventBusName: bus = 'default' }) =>
        bus.startsWith('arn:') ? bus : `${prefix('events')}:event-bus/${bus}`,
    );
  }
  throw new Error(
    `a call the test cannot place (stack ${stack.stackName}): ${JSON.stringify(call)}`,
  );
};
