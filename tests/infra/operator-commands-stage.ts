import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { startMotoServer } from '../../harness/moto-server.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import { npmRun } from '../ops/command-run.ts';
import { type Defer, withDeployTools } from '../support/deploy-tools.ts';
import { deployToMoto, motoClientConfig } from '../support/moto-deploy.ts';
import { packagedService } from '../support/packaged-services.ts';

const FINISH_MAPPING = 'FinishEventSourceMappingSQSSigningEventsQueue';

/** The stage's second tenant, acme: its own enterprise of the simulator and its secret. */
export const TENANT = 'acme';
export const TENANT_CREDENTIALS = {
  clientId: 'acme-client',
  clientSecret: 'acme-client-secret-7f8e9d',
  username: 'robot@acme.example',
  password: 'acme-password-6c5b4a',
};
const PUBLISH_MAPPING = 'PublishEventSourceMappingDynamodbTable';
/** Every npm run takes a few seconds to start on a busy machine; none is timed. */
export const COMMAND_TEST_MS = 180_000;

/** The caller's AWS settings: these alone, nothing of the machine's own profile or role. */
const callerEnv = async (defer: Defer, endpoint: string): Promise<NodeJS.ProcessEnv> => {
  const home = await mkdtemp(join(tmpdir(), 'operator-commands-'));
  defer(() => rm(home, { recursive: true, force: true }));
  const emptyConfig = join(home, 'aws-config');
  const emptyCredentials = join(home, 'aws-credentials');
  await writeFile(emptyConfig, '');
  await writeFile(emptyCredentials, '');
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: emptyCredentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoint,
  };
};

/** A moto with nothing deployed in it, and the caller's settings to reach it with. */
export const startOperatorMoto = () =>
  withDeployTools(async (defer) => {
    const moto = await startMotoServer();
    defer(() => moto.stop());
    return { baseEnv: await callerEnv(defer, moto.endpoint) };
  }, 120_000);

/**
 * The default configuration (stage `test`) deployed into a moto of its own, with what the tests
 * need beside it: the stage's SigningHub is the simulator, its credentials secret is in moto's
 * Secrets Manager, and a rule puts the bus's completion events on a queue the tests read.
 */
const deployStage = () =>
  withDeployTools(async (defer) => {
    const service = await packagedService('default');
    const moto = await startMotoServer();
    defer(() => moto.stop());
    const region = service.state.region;
    const config = motoClientConfig(moto, region);
    const aws = {
      sqs: new SQSClient(config),
      lambda: new LambdaClient(config),
      dynamoDb: new DynamoDBClient(config),
      events: new EventBridgeClient(config),
      secrets: new SecretsManagerClient(config),
    };
    defer(async () => {
      for (const client of Object.values(aws)) client.destroy();
    });
    const simulator = await startSimulator({
      autoCreatePackages: false,
      enterprises: { [TENANT]: { credentials: TENANT_CREDENTIALS } },
    });
    defer(() => simulator.close());
    const stack = await deployToMoto(service, moto);

    // moto would hand queue messages and stream records to functions it cannot run (no Docker)
    // and lose them: the tests are the only readers.
    for (const mapping of [FINISH_MAPPING, PUBLISH_MAPPING]) {
      await aws.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: stack.physicalId(mapping), Enabled: false }),
      );
    }
    const reconcileFunction = stack.physicalId('ReconcileLambdaFunction');
    const { Environment: environment } = await aws.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: reconcileFunction }),
    );
    const variables = environment?.Variables ?? {};
    await aws.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: reconcileFunction,
        Environment: { Variables: { ...variables, SIGNINGHUB_BASE_URL: simulator.url } },
      }),
    );
    await aws.secrets.send(
      new CreateSecretCommand({
        Name: variables.SIGNINGHUB_CREDENTIALS_SECRET,
        SecretString: JSON.stringify({
          client_id: DEFAULT_SIMULATOR_CREDENTIALS.clientId,
          client_secret: DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
          username: DEFAULT_SIMULATOR_CREDENTIALS.username,
          password: DEFAULT_SIMULATOR_CREDENTIALS.password,
        }),
      }),
    );
    // acme's settings, under the prefix the deployed functions read tenants' secrets from.
    await aws.secrets.send(
      new CreateSecretCommand({
        Name: `${variables.TENANTS_SECRET_PREFIX}${TENANT}`,
        SecretString: JSON.stringify({
          base_url: simulator.enterprise(TENANT).url,
          client_id: TENANT_CREDENTIALS.clientId,
          client_secret: TENANT_CREDENTIALS.clientSecret,
          username: TENANT_CREDENTIALS.username,
          password: TENANT_CREDENTIALS.password,
        }),
      }),
    );

    const { QueueUrl: observerUrl = '' } = await aws.sqs.send(
      new CreateQueueCommand({ QueueName: 'completion-events-observer' }),
    );
    const { Attributes: observer = {} } = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: observerUrl, AttributeNames: ['QueueArn'] }),
    );
    await aws.events.send(
      new PutRuleCommand({
        Name: 'observe-completion-events',
        EventBusName: 'default',
        EventPattern: JSON.stringify({ source: ['signinghub.finish'] }),
      }),
    );
    await aws.events.send(
      new PutTargetsCommand({
        Rule: 'observe-completion-events',
        EventBusName: 'default',
        Targets: [{ Id: 'observer', Arn: observer.QueueArn }],
      }),
    );

    const baseEnv = await callerEnv(defer, moto.endpoint);
    const table = new DynamoDbTable(aws.dynamoDb, stack.physicalId('Table'));
    return {
      ...aws,
      stack,
      region,
      simulator,
      observerUrl,
      baseEnv,
      queueUrl: stack.physicalId('SigningEventsQueue'),
      deadLetterQueueUrl: stack.physicalId('SigningEventsDeadLetterQueue'),
      packages: new DynamoDbPackageStore(table),
      finishes: new DynamoDbFinishStore(table),
      tenantPackages: new DynamoDbPackageStore(table, TENANT, new DynamoDbTenantRegistry(table)),
    };
  }, 300_000);

type OperatorStage = ReturnType<ReturnType<typeof deployStage>>;

/** A command against the deployed stage, with made-up keys moto accepts. */
const runOnStage = (stage: OperatorStage, script: string, ...args: string[]) => {
  const { baseEnv, region } = stage;
  return npmRun(
    { ...baseEnv, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' },
    script,
    ...args,
    '--stage',
    'test',
    '--region',
    region,
  );
};

/** Every message a queue holds now (each received once, and hidden for a minute). */
const drain = async (stage: OperatorStage, queueUrl: string): Promise<Message[]> => {
  const { sqs } = stage;
  const messages: Message[] = [];
  for (;;) {
    const { Messages: page = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (page.length === 0) return messages;
    messages.push(...page);
  }
};

/** Puts a signing event in the dead-letter queue, with a message attribute to carry. */
const deadLetter = async (stage: OperatorStage, body: string) => {
  const { sqs, deadLetterQueueUrl } = stage;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: body,
      MessageAttributes: { origin: { DataType: 'String', StringValue: 'operator-test' } },
    }),
  );
};

/** The one line a command printed. */
export const oneLine = (text: string): string => {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
};

/**
 * The stage deployed for a test file (its hooks registered where this is called), and the
 * helpers on it: a command as an operator runs it, a queue drained, a message dead-lettered.
 */
export const deployOperatorStage = () => {
  const stage = deployStage();
  return {
    stage,
    onStage: (script: string, ...args: string[]) => runOnStage(stage(), script, ...args),
    drain: (queueUrl: string) => drain(stage(), queueUrl),
    deadLetter: (body: string) => deadLetter(stage(), body),
  };
};
