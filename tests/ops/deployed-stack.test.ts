import {
  CloudFormationClient,
  type ServiceOutputTypes,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { describeAwsFailure } from '../../ops/aws-failure.ts';
import {
  deployedEnvironment,
  findDeployedStack,
  requireArchive,
} from '../../ops/deployed-stack.ts';
import { isUserError } from '../../ops/user-error.ts';
import { rejection } from '../support/rejection.ts';

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

const made: CloudFormationClient[] = [];
afterEach(() => {
  for (const client of made.splice(0)) client.destroy();
});

/** A CloudFormation client whose every command is answered here, not by AWS. */
const cloudFormation = (answer: (call: Call) => object) => {
  const client = new CloudFormationClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  made.push(client);
  const calls: Call[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = {
        command: context.commandName ?? '',
        input: { ...(args.input as Record<string, unknown>) },
      };
      calls.push(call);
      const output = { $metadata: {}, ...answer(call) } as ServiceOutputTypes;
      return { output, response: {} };
    },
    { step: 'initialize', name: 'answeredInTest' },
  );
  return { client, calls };
};

const resource = (logical: string, physical?: string): StackResourceSummary => ({
  LogicalResourceId: logical,
  ...(physical ? { PhysicalResourceId: physical } : {}),
  ResourceType: 'AWS::X::Y',
  ResourceStatus: 'CREATE_COMPLETE',
  LastUpdatedTimestamp: new Date(0),
});

const RESOURCES = [
  resource('Table', 'signinghub-finish-prod'),
  resource('SigningEventsQueue', 'https://sqs/q'),
  resource('ServerlessDeploymentBucket', 'bucket'),
  resource('SigningEventsDeadLetterQueue', 'https://sqs/dlq'),
  resource('PublishLambdaFunction', 'signinghub-finish-prod-publish'),
  resource('ReconcileLambdaFunction', 'signinghub-finish-prod-reconcile'),
];

/** The stack, its resources two a page. */
const stackOf =
  (
    resources: readonly StackResourceSummary[],
    status = 'UPDATE_COMPLETE',
    outputs: Readonly<Record<string, string>> = {},
  ) =>
  (call: Call) => {
    if (call.command === 'DescribeStacksCommand') {
      const Outputs = Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
        OutputKey,
        OutputValue,
      }));
      return {
        Stacks: status
          ? [{ StackName: String(call.input.StackName), StackStatus: status, Outputs }]
          : [],
      };
    }
    const start = Number(call.input.NextToken ?? 0);
    const next = start + 2 < resources.length ? String(start + 2) : undefined;
    return { StackResourceSummaries: resources.slice(start, start + 2), NextToken: next };
  };

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('findDeployedStack', () => {
  it("finds the stage's resources by their logical ids, through every page", async () => {
    const { client, calls } = cloudFormation(stackOf(RESOURCES));
    expect(await findDeployedStack(client, 'prod', 'eu-west-1')).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      stackName: 'signinghub-finish-prod',
      stackStatus: 'UPDATE_COMPLETE',
      tableName: 'signinghub-finish-prod',
      queueUrl: 'https://sqs/q',
      deadLetterQueueUrl: 'https://sqs/dlq',
      publishFunction: 'signinghub-finish-prod-publish',
      reconcileFunction: 'signinghub-finish-prod-reconcile',
    });
    expect(calls.map((call) => [call.command, call.input.NextToken])).toEqual([
      ['DescribeStacksCommand', undefined],
      ['ListStackResourcesCommand', undefined],
      ['ListStackResourcesCommand', '2'],
      ['ListStackResourcesCommand', '4'],
    ]);
    expect(calls.every((call) => call.input.StackName === 'signinghub-finish-prod')).toBe(true);
  });

  it('says a stack that does not exist and how to deploy it', async () => {
    const missing = sdkError(
      'ValidationError',
      'Stack with id signinghub-finish-prod does not exist',
    );
    const { client } = cloudFormation(() => {
      throw missing;
    });
    const error = await rejection(findDeployedStack(client, 'prod', 'eu-west-1'));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'no stack signinghub-finish-prod in eu-west-1: deploy it with npx serverless deploy ' +
        '--stage prod or check --region',
    );
    expect(error.cause).toBe(missing);
  });

  it('says which resource a stack lacks, and its state', async () => {
    const without = RESOURCES.filter(
      (entry) => entry.LogicalResourceId !== 'SigningEventsDeadLetterQueue',
    );
    const { client } = cloudFormation(stackOf(without, 'ROLLBACK_COMPLETE'));
    await expect(findDeployedStack(client, 'prod', 'eu-west-1')).rejects.toThrow(
      "stack signinghub-finish-prod in eu-west-1 (ROLLBACK_COMPLETE) has no SigningEventsDeadLetterQueue: is it this service's stack? deploy it with npx serverless deploy --stage prod again",
    );
  });

  it('counts a resource without a physical id as missing, and a stack without a state as UNKNOWN', async () => {
    const half = RESOURCES.map((entry) =>
      entry.LogicalResourceId === 'Table' ? resource('Table') : entry,
    );
    const { client } = cloudFormation(stackOf(half, ''));
    await expect(findDeployedStack(client, 'prod', 'eu-west-1')).rejects.toThrow(
      /^stack signinghub-finish-prod in eu-west-1 \(UNKNOWN\) has no Table: /,
    );
  });

  it.each([
    ['DescribeStacksCommand', 'cloudformation:DescribeStacks'],
    ['ListStackResourcesCommand', 'cloudformation:ListStackResources'],
  ])('lets a refusal of %s through, naming its action', async (refused, action) => {
    const denied = sdkError('AccessDenied', 'not for you');
    const { client } = cloudFormation((call) => {
      if (call.command === refused) throw denied;
      return stackOf(RESOURCES)(call);
    });
    const error = await rejection(findDeployedStack(client, 'prod', 'eu-west-1'));
    expect(error).toBe(denied);
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(new RegExp(`^AWS denied ${action} `));
  });

  it('lets any other ValidationError through', async () => {
    const other = sdkError('ValidationError', '1 validation error detected');
    const { client } = cloudFormation(() => {
      throw other;
    });
    expect(await rejection(findDeployedStack(client, 'prod', 'eu-west-1'))).toBe(other);
  });

  it('lets through an error of another name that says something does not exist', async () => {
    const other = sdkError('AccessDenied', 'Role signinghub-ops does not exist');
    const { client } = cloudFormation(() => {
      throw other;
    });
    expect(await rejection(findDeployedStack(client, 'prod', 'eu-west-1'))).toBe(other);
  });
});

describe("the archive's outputs", () => {
  const ARCHIVE = {
    ArchiveQueueUrl: 'https://sqs/archive',
    ArchiveDeadLetterQueueUrl: 'https://sqs/archive-dlq',
    ArchiveBucketName: 'signed-records',
    ServiceEndpoint: 'https://api',
  };

  it('finds the archive from the stack outputs, when it is on', async () => {
    const { client } = cloudFormation(stackOf(RESOURCES, 'UPDATE_COMPLETE', ARCHIVE));
    const stack = await findDeployedStack(client, 'prod', 'eu-west-1');
    expect(stack.archive).toEqual({
      queueUrl: 'https://sqs/archive',
      deadLetterQueueUrl: 'https://sqs/archive-dlq',
      bucketName: 'signed-records',
    });
    expect(requireArchive(stack, 'stage prod in eu-west-1')).toBe(stack.archive);
  });

  it.each([
    ['no archive outputs', {}],
    ['no dead-letter queue', { ArchiveQueueUrl: 'https://sqs/archive' }],
    ['an empty queue URL', { ArchiveQueueUrl: '', ArchiveDeadLetterQueueUrl: 'https://sqs/d' }],
  ])('says a stack with %s does not archive, naming the parameter', async (_, outputs) => {
    const { client } = cloudFormation(stackOf(RESOURCES, 'UPDATE_COMPLETE', outputs));
    const stack = await findDeployedStack(client, 'prod', 'eu-west-1');
    expect(stack.archive).toBeUndefined();
    expect(() => requireArchive(stack, 'stage prod in eu-west-1')).toThrow(
      expect.objectContaining({
        name: 'UserError',
        message:
          'stage prod in eu-west-1 does not archive documents: its stack signinghub-finish-prod ' +
          'has no ArchiveQueueUrl output (its archiveDocuments parameter is false, or it was ' +
          'deployed before the archive existed); deploy it with archiveDocuments true (the ' +
          'default) to archive',
      }),
    );
  });

  it('leaves the bucket out when the stack names none', async () => {
    const { ArchiveBucketName: _, ...queues } = ARCHIVE;
    const { client } = cloudFormation(stackOf(RESOURCES, 'UPDATE_COMPLETE', queues));
    const stack = await findDeployedStack(client, 'prod', 'eu-west-1');
    expect(stack.archive).toEqual({
      queueUrl: 'https://sqs/archive',
      deadLetterQueueUrl: 'https://sqs/archive-dlq',
      bucketName: undefined,
    });
  });
});

describe('deployedEnvironment', () => {
  /** A Lambda whose GetFunctionConfiguration answers `answer`. */
  const lambda = (answer: () => object) => {
    const asked: unknown[] = [];
    const send = async (command: { readonly input: unknown }) => {
      asked.push(command.input);
      return answer();
    };
    return { client: { send } as unknown as Pick<LambdaClient, 'send'>, asked };
  };

  it("answers a function's environment variables, or none", async () => {
    const withVariables = lambda(() => ({
      Environment: { Variables: { EVENT_BUS_NAME: 'orders' } },
    }));
    expect(await deployedEnvironment(withVariables.client, 'fn')).toEqual({
      EVENT_BUS_NAME: 'orders',
    });
    expect(withVariables.asked).toEqual([{ FunctionName: 'fn' }]);
    expect(await deployedEnvironment(lambda(() => ({})).client, 'fn')).toEqual({});
  });

  it('names lambda:GetFunctionConfiguration when it is refused', async () => {
    const denied = lambda(() => {
      throw sdkError('AccessDeniedException', 'no');
    });
    const error = await rejection(deployedEnvironment(denied.client, 'fn'));
    expect(describeAwsFailure(error, 'eu-west-1')).toMatch(
      /^AWS denied lambda:GetFunctionConfiguration /,
    );
  });
});
