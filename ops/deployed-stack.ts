import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsCall } from './aws-failure.ts';
import { stackNameOf } from './operator-target.ts';
import { UserError } from './user-error.ts';

/** A deployed stage's resources, found from its CloudFormation stack by their logical ids. */
export interface DeployedStack {
  readonly stage: string;
  readonly region: string;
  readonly stackName: string;
  readonly stackStatus: string;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The functions whose environment holds the settings they run with (one source of truth). */
  readonly publishFunction: string;
  readonly reconcileFunction: string;
  /** The archive's queues and bucket, from the stack's outputs; none when archiveDocuments is false. */
  readonly archive: ArchiveOutputs | undefined;
}

/** The stack's outputs ArchiveQueueUrl, ArchiveDeadLetterQueueUrl and ArchiveBucketName. */
export interface ArchiveOutputs {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly bucketName: string | undefined;
}

/** The logical ids in serverless.yml (and the names serverless gives the functions). */
const RESOURCES = {
  tableName: 'Table',
  queueUrl: 'SigningEventsQueue',
  deadLetterQueueUrl: 'SigningEventsDeadLetterQueue',
  publishFunction: 'PublishLambdaFunction',
  reconcileFunction: 'ReconcileLambdaFunction',
} as const;

/** The archive's outputs, when the stack has its queues (the archive is on). */
const archiveOf = (outputs: readonly Output[]): ArchiveOutputs | undefined => {
  const value = (key: string) =>
    outputs.find((output) => output.OutputKey === key)?.OutputValue || undefined;
  const queueUrl = value('ArchiveQueueUrl');
  const deadLetterQueueUrl = value('ArchiveDeadLetterQueueUrl');
  return queueUrl && deadLetterQueueUrl
    ? { queueUrl, deadLetterQueueUrl, bucketName: value('ArchiveBucketName') }
    : undefined;
};

const isMissingStack = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === 'ValidationError' &&
  /does not exist/.test(error.message);

/** Every resource of the stack, through every page of ListStackResources. */
const listResources = (
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<StackResourceSummary[]> =>
  awsCall('cloudformation:ListStackResources', async () => {
    const summaries: StackResourceSummary[] = [];
    for await (const page of paginateListStackResources(
      { client: cloudFormation },
      { StackName: stackName },
    )) {
      summaries.push(...(page.StackResourceSummaries ?? []));
    }
    return summaries;
  });

/**
 * The stack `signinghub-finish-<stage>` and the resources the operator commands use; a missing
 * stack, or one without them, is a one-line UserError saying how to deploy it.
 */
export const findDeployedStack = async (
  cloudFormation: CloudFormationClient,
  stage: string,
  region: string,
): Promise<DeployedStack> => {
  const stackName = stackNameOf(stage);
  const deployHint = `deploy it with npx serverless deploy --stage ${stage}`;
  let stackStatus: string;
  let outputs: readonly Output[];
  let summaries: StackResourceSummary[];
  try {
    const { Stacks: stacks = [] } = await awsCall('cloudformation:DescribeStacks', () =>
      cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })),
    );
    stackStatus = stacks[0]?.StackStatus ?? 'UNKNOWN';
    outputs = stacks[0]?.Outputs ?? [];
    summaries = await listResources(cloudFormation, stackName);
  } catch (error) {
    if (!isMissingStack(error)) throw error;
    throw new UserError(`no stack ${stackName} in ${region}: ${deployHint} or check --region`, {
      cause: error,
    });
  }
  const physical = new Map(
    summaries.flatMap((summary) =>
      summary.LogicalResourceId && summary.PhysicalResourceId
        ? [[summary.LogicalResourceId, summary.PhysicalResourceId] as const]
        : [],
    ),
  );
  const found = Object.fromEntries(
    Object.entries(RESOURCES).map(([key, logicalId]) => {
      const id = physical.get(logicalId);
      if (id === undefined) {
        throw new UserError(
          `stack ${stackName} in ${region} (${stackStatus}) has no ${logicalId}: is it this ` +
            `service's stack? ${deployHint} again`,
        );
      }
      return [key, id];
    }),
  ) as Record<keyof typeof RESOURCES, string>;
  return { stage, region, stackName, stackStatus, ...found, archive: archiveOf(outputs) };
};

/** The archive's outputs; their absence is a line naming the parameter that turns it on. */
export const requireArchive = (stack: DeployedStack, where: string): ArchiveOutputs => {
  if (stack.archive) return stack.archive;
  throw new UserError(
    `${where} does not archive documents: its stack ${stack.stackName} has no ArchiveQueueUrl ` +
      'output (its archiveDocuments parameter is false, or it was deployed before the archive ' +
      'existed); deploy it with archiveDocuments true (the default) to archive',
  );
};

/** A deployed function's environment variables, as it runs with them. */
export const deployedEnvironment = async (
  lambda: Pick<LambdaClient, 'send'>,
  functionName: string,
): Promise<Readonly<Record<string, string>>> => {
  const configuration = await awsCall('lambda:GetFunctionConfiguration', () =>
    lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  );
  return configuration.Environment?.Variables ?? {};
};
