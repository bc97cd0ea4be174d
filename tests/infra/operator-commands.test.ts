import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { startMotoServer } from '../../harness/moto-server.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { signingEventBody } from '../support/factories.ts';
import { deployToMoto, motoClientConfig } from '../support/moto-deploy.ts';
import { packagedService } from '../support/packaged-services.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FINISH_MAPPING = 'FinishEventSourceMappingSQSSigningEventsQueue';
const PUBLISH_MAPPING = 'PublishEventSourceMappingDynamodbTable';
/** Every npm run takes a few seconds to start on a busy machine; none is timed. */
const COMMAND_TEST_MS = 180_000;

interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The default configuration (stage `test`) deployed into a moto of its own, with what the tests
 * need beside it: the stage's SigningHub is the simulator, its credentials secret is in moto's
 * Secrets Manager, and a rule puts the bus's completion events on a queue the tests read.
 */
const deployed = withDeployTools(async (defer) => {
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
  const simulator = await startSimulator({ autoCreatePackages: false });
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

  // The caller's AWS settings are these alone: nothing of the machine's own profile or role.
  const home = await mkdtemp(join(tmpdir(), 'operator-commands-'));
  defer(() => rm(home, { recursive: true, force: true }));
  const emptyConfig = join(home, 'aws-config');
  const emptyCredentials = join(home, 'aws-credentials');
  await writeFile(emptyConfig, '');
  await writeFile(emptyCredentials, '');
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: emptyCredentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: moto.endpoint,
  };
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
  };
}, 300_000);

/** `npm run <script> -- <args>` as an operator types it, with the caller's AWS settings `env`. */
const npmRun = (env: NodeJS.ProcessEnv, script: string, ...args: string[]) =>
  new Promise<CommandResult>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args],
      { cwd: REPO, env, timeout: 150_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** A command against the deployed stage, with made-up keys moto accepts. */
const onStage = (script: string, ...args: string[]) => {
  const { baseEnv, region } = deployed();
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
const drain = async (queueUrl: string): Promise<Message[]> => {
  const { sqs } = deployed();
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

const deadLetter = async (body: string) => {
  const { sqs, deadLetterQueueUrl } = deployed();
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: body,
      MessageAttributes: { origin: { DataType: 'String', StringValue: 'operator-test' } },
    }),
  );
};

const oneLine = (text: string): string => {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
};

describe('npm run redrive on a stage deployed in moto', () => {
  beforeEach(async () => {
    // Runs only where the deploy proof could set up (a skipped file has no queues).
    const { sqs, queueUrl, deadLetterQueueUrl } = deployed();
    for (const url of [queueUrl, deadLetterQueueUrl]) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }
  });

  it(
    'moves every dead-lettered message back to the queue, body and attributes, one line each',
    async () => {
      const { queueUrl, deadLetterQueueUrl } = deployed();
      const bodies = [7001, 7002, 7003].map((packageId) =>
        signingEventBody({ packageId, signerEmail: 'alice@example.com' }),
      );
      for (const body of bodies) await deadLetter(body);

      const result = await onStage('redrive');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      // moto has no StartMessageMoveTask: the command says so and moves them itself.
      expect(lines[0]).toMatch(
        /does not offer StartMessageMoveTask.*moving the messages one by one/,
      );
      for (const packageId of [7001, 7002, 7003]) {
        expect(
          lines.filter((line) =>
            line.includes(`(package ${packageId}, alice@example.com) to the queue as `),
          ),
        ).toHaveLength(1);
      }
      expect(lines.at(-1)).toMatch(
        /^redrive: moved 3 messages from .+ to .+ of stage test in eu-west-1$/,
      );
      const moved = await drain(queueUrl);
      expect(moved.map((message) => message.Body).sort()).toEqual([...bodies].sort());
      for (const message of moved) {
        expect(message.MessageAttributes).toEqual({
          origin: { DataType: 'String', StringValue: 'operator-test' },
        });
      }
      expect(await drain(deadLetterQueueUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'moves at most --max messages and says how many are left, in text and in JSON',
    async () => {
      const { queueUrl, deadLetterQueueUrl } = deployed();
      for (const packageId of [7011, 7012, 7013, 7014, 7015]) {
        await deadLetter(signingEventBody({ packageId }));
      }

      const text = await onStage('redrive', '--max', '2');
      expect(text.code).toBe(0);
      expect(text.stdout.trim().split('\n')).toHaveLength(3);
      expect(text.stdout).toContain(
        'stopped at --max 2, about 3 messages left (run it again to move more)',
      );

      const json = await onStage('redrive', '--max', '2', '--json');
      expect(json.code).toBe(0);
      const summary = JSON.parse(json.stdout) as {
        method: string;
        moved: number;
        messages: { packageId: number }[];
        left: number;
        from: string;
        to: string;
      };
      expect(summary).toMatchObject({
        method: 'one-by-one',
        moved: 2,
        left: 1,
        from: deadLetterQueueUrl,
        to: queueUrl,
      });
      expect(summary.messages).toHaveLength(2);
      expect((await drain(queueUrl)).length).toBe(4);
      expect((await drain(deadLetterQueueUrl)).length).toBe(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'leaves a message it could not put on the queue in the dead-letter queue, and says so',
    async () => {
      const { sqs, queueUrl, deadLetterQueueUrl } = deployed();
      // The queue now refuses what the dead-letter queue holds: a send that fails half-way.
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: { MaximumMessageSize: '1024' },
        }),
      );
      const big = signingEventBody({ packageId: 7021, eventId: 'x'.repeat(2_000) });
      try {
        await deadLetter(big);

        const result = await onStage('redrive');

        expect(result.code).toBe(1);
        expect(oneLine(result.stderr)).toMatch(
          /^redrive stopped after moving 0 messages: message \S+ could not be put on the queue \(.+\); it stays in the dead-letter queue/,
        );
        expect(await drain(queueUrl)).toEqual([]);
        // Released at once, not hidden for the receive's visibility timeout.
        expect((await drain(deadLetterQueueUrl)).map((message) => message.Body)).toEqual([big]);
      } finally {
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queueUrl,
            Attributes: { MaximumMessageSize: '262144' },
          }),
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'says the dead-letter queue is empty when it is',
    async () => {
      const result = await onStage('redrive');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^the dead-letter queue \S+ of stage test in eu-west-1 is empty: nothing to redrive$/,
      );
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run republish on a stage deployed in moto', () => {
  const final = async (packageId: number) => {
    const { packages } = deployed();
    await packages.markInProgress(packageId, new Date('2026-11-27T10:00:00Z'));
    await packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      new Date('2026-11-27T10:05:00Z'),
    );
  };

  it(
    "puts a final package's completion event on the bus again, rebuilt from its item",
    async () => {
      const { observerUrl } = deployed();
      await final(7101);

      const result = await onStage('republish', '7101');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^package 7101 \(COMPLETED\): SigningPackageCompleted sent again to bus default as event \S+$/,
      );
      const events = (await drain(observerUrl)).map(
        (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: 'signinghub.finish',
        'detail-type': 'SigningPackageCompleted',
        detail: { packageId: 7101, status: 'COMPLETED', at: '2026-11-27T10:05:00.000Z' },
      });
    },
    COMMAND_TEST_MS,
  );

  it(
    'answers in JSON with --json',
    async () => {
      const { observerUrl } = deployed();
      await final(7102);

      const result = await onStage('republish', '7102', '--json');

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        packageId: 7102,
        status: 'COMPLETED',
        busName: 'default',
        source: 'signinghub.finish',
        detailType: 'SigningPackageCompleted',
        detail: { packageId: 7102, status: 'COMPLETED' },
      });
      expect(await drain(observerUrl)).toHaveLength(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'refuses a package that is not final, in one line that says what to do',
    async () => {
      const { packages, observerUrl } = deployed();
      await packages.markInProgress(7103, new Date());

      const result = await onStage('republish', '7103');

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(oneLine(result.stderr)).toBe(
        "package 7103 is IN_PROGRESS, not final: republish sends only a final package's " +
          'completion event (npm run reconcile -- 7103 asks SigningHub whether it is final now)',
      );
      expect(await drain(observerUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run status on a stage deployed in moto', () => {
  const PACKAGE_ID = 7201;

  it(
    'shows a package and its finish items from the deployed table, in text and in JSON',
    async () => {
      const { packages, finishes } = deployed();
      const key = { packageId: PACKAGE_ID, signer: 'alice@example.com' };
      await finishes.claimFinish(
        key,
        { leaseId: 'lease', leaseUntil: Date.now() + 60_000 },
        new Date(),
      );
      await finishes.settleFinish(key, 'lease', {
        status: 'SUCCEEDED',
        now: new Date(),
        requestsSent: 1,
      });
      await packages.markInProgress(PACKAGE_ID, new Date());

      const text = await onStage('status', String(PACKAGE_ID));
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`package ${PACKAGE_ID}: IN_PROGRESS, 0 callbacks`);
      expect(text.stdout).toMatch(/alice@example\.com\s+SUCCEEDED\s+1\s/);

      const json = await onStage('status', String(PACKAGE_ID), '--json');
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout) as {
        stage: string;
        tableName: string;
        packages: PackageReport[];
      };
      expect(parsed.stage).toBe('test');
      expect(parsed.tableName).toBe('signinghub-finish-test');
      expect(parsed.packages).toHaveLength(1);
      expect(parsed.packages[0]).toMatchObject({
        packageId: PACKAGE_ID,
        package: { status: 'IN_PROGRESS', callbacks: 0 },
        finishes: [{ signer: 'alice@example.com', status: 'SUCCEEDED', attempts: 1 }],
      });

      const list = await onStage('status');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${PACKAGE_ID}\\s+IN_PROGRESS`, 'm'));
      expect(list.stdout).toContain('open packages only');
      // A stage keeps no record of its completion events: no column of them to fill with "-".
      expect(list.stdout).not.toContain('COMPLETION EVENT');
    },
    COMMAND_TEST_MS,
  );

  it(
    'says when the deployed table has nothing for the package',
    async () => {
      const result = await onStage('status', '7299');
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toBe(
        'package 7299 has nothing in the table signinghub-finish-test (stage test in ' +
          'eu-west-1): check the package id, and --stage',
      );
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run reconcile on a stage deployed in moto', () => {
  it(
    "confirms a package with the stage's SigningHub now, with its credentials from the secret",
    async () => {
      const { packages, simulator } = deployed();
      simulator.createPackage(7301, ['alice@example.com']);
      simulator.setWorkflowStatus(7301, 'COMPLETED');
      await packages.markInProgress(7301, new Date());

      const result = await onStage('reconcile', '7301');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toBe(
        'package 7301: SigningHub says COMPLETED; recorded COMPLETED, final now (the stream ' +
          'publishes its completion event)',
      );
      expect(simulator.count('workflow', 7301)).toBe(1);
      expect(await packages.getPackage(7301)).toMatchObject({
        status: 'COMPLETED',
        workflowStatus: 'COMPLETED',
      });
      for (const secret of [
        DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
        DEFAULT_SIMULATOR_CREDENTIALS.password,
      ]) {
        expect(result.stdout + result.stderr).not.toContain(secret);
      }

      const again = await onStage('reconcile', '7301', '--json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({
        packageId: 7301,
        before: 'COMPLETED',
        after: 'COMPLETED',
        signingHubSays: 'COMPLETED',
        becameFinal: false,
      });
      // A final package is not asked about again.
      expect(simulator.count('workflow', 7301)).toBe(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'leaves a package that is still in progress as it is',
    async () => {
      const { packages, simulator } = deployed();
      simulator.createPackage(7302, ['alice@example.com']);
      await packages.markInProgress(7302, new Date());

      const result = await onStage('reconcile', '7302');

      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toBe(
        'package 7302: SigningHub says IN_PROGRESS; still IN_PROGRESS',
      );
      expect((await packages.getPackage(7302))?.status).toBe('IN_PROGRESS');
    },
    COMMAND_TEST_MS,
  );

  it(
    'refuses a package the table does not know, rather than record it DELETED',
    async () => {
      const { packages, simulator } = deployed();

      const result = await onStage('reconcile', '7399');

      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(
        /^package 7399 is not in the table signinghub-finish-test \(stage test in eu-west-1\)/,
      );
      expect(simulator.count('workflow', 7399)).toBe(0);
      expect(await packages.getPackage(7399)).toBeUndefined();
    },
    COMMAND_TEST_MS,
  );
});

describe('the operator commands, when they cannot act', () => {
  it(
    'name the stack that does not exist and how to deploy it',
    async () => {
      const { baseEnv } = deployed();
      const env = { ...baseEnv, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' };
      for (const [script, ...args] of [
        ['status', '1'],
        ['redrive'],
        ['republish', '1'],
        ['reconcile', '1'],
      ] as const) {
        const result = await npmRun(
          env,
          script,
          ...args,
          '--stage',
          'nosuch',
          '--region',
          'eu-west-1',
        );
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(oneLine(result.stderr)).toBe(
          'no stack signinghub-finish-nosuch in eu-west-1: deploy it with npx serverless ' +
            'deploy --stage nosuch or check --region',
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'say there are no AWS credentials and how to get some',
    async () => {
      const { baseEnv } = deployed();
      const result = await npmRun(baseEnv, 'redrive', '--stage', 'test', '--region', 'eu-west-1');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(oneLine(result.stderr)).toBe(
        'no AWS credentials: set AWS_PROFILE to one of your profiles (run aws sso login for ' +
          'an SSO one), or run aws configure',
      );
    },
    COMMAND_TEST_MS,
  );

  it(
    'say there is no region and how to give one',
    async () => {
      const { baseEnv } = deployed();
      const env = { ...baseEnv, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' };
      const result = await npmRun(env, 'status', '--stage', 'test');
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(/^no AWS region: pass --region <region>/);
    },
    COMMAND_TEST_MS,
  );

  it(
    'take the region from AWS_DEFAULT_REGION as the AWS CLI does',
    async () => {
      const { baseEnv } = deployed();
      const env = {
        ...baseEnv,
        AWS_ACCESS_KEY_ID: 'operator',
        AWS_SECRET_ACCESS_KEY: 'operator',
        AWS_DEFAULT_REGION: 'eu-west-1',
      };
      const result = await npmRun(env, 'status', '7299', '--stage', 'test');
      expect(oneLine(result.stderr)).toContain('(stage test in eu-west-1)');
    },
    COMMAND_TEST_MS,
  );
});
