import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type Capability,
  ChangeSetType,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from '../../harness/moto-server.ts';
import type { PackagedService } from './packaged-services.ts';

/** What every SDK client made against moto gets: its endpoint, always given, and made-up keys. */
export const motoClientConfig = (moto: Pick<MotoServer, 'endpoint'>, region: string) => ({
  endpoint: moto.endpoint,
  region,
  credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
});

export interface DeployedStack {
  readonly stackName: string;
  readonly region: string;
  readonly bucket: string;
  /** The physical id CloudFormation gave each resource, by logical id. */
  physicalId(logicalId: string): string;
  readonly logicalIds: readonly string[];
  /** The stack's outputs, by key, as DescribeStacks gives them. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The settings `serverless deploy` gives every change set (osls's get-shared-stack-action-params). */
const changeSetInput = (service: PackagedService) => ({
  StackName: service.stackName,
  ChangeSetName: `${service.stackName}-change-set`,
  Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] satisfies Capability[],
  Parameters: [],
  Tags: [{ Key: 'STAGE', Value: service.state.stage }],
  NotificationARNs: [],
});

const waitForStack = async (
  cloudFormation: CloudFormationClient,
  stackName: string,
  expected: string,
): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { Stacks: stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    const status = stacks[0]?.StackStatus ?? 'MISSING';
    if (status === expected) return;
    if (!status.endsWith('_IN_PROGRESS')) {
      const { StackEvents: events = [] } = await cloudFormation.send(
        new DescribeStackEventsCommand({ StackName: stackName }),
      );
      const failures = events
        .filter((event) => event.ResourceStatus?.endsWith('FAILED'))
        .map((event) => `${event.LogicalResourceId}: ${event.ResourceStatusReason}`);
      throw new Error(`stack ${stackName} is ${status}, not ${expected}:\n${failures.join('\n')}`);
    }
    await delay(200);
  }
  throw new Error(`stack ${stackName} did not reach ${expected} within 60 s`);
};

const runChangeSet = async (
  cloudFormation: CloudFormationClient,
  service: PackagedService,
  type: ChangeSetType,
  template: { readonly TemplateBody: string } | { readonly TemplateURL: string },
): Promise<void> => {
  const input = changeSetInput(service);
  await cloudFormation.send(
    new CreateChangeSetCommand({ ...input, ...template, ChangeSetType: type }),
  );
  const { StackName, ChangeSetName } = input;
  for (let tries = 0; ; tries += 1) {
    const { Status: status, StatusReason: reason } = await cloudFormation.send(
      new DescribeChangeSetCommand({ StackName, ChangeSetName }),
    );
    if (status === 'CREATE_COMPLETE') break;
    if (status === 'FAILED' || tries > 100) throw new Error(`change set ${status}: ${reason}`);
    await delay(100);
  }
  await cloudFormation.send(new ExecuteChangeSetCommand({ StackName, ChangeSetName }));
  await waitForStack(
    cloudFormation,
    StackName,
    type === ChangeSetType.CREATE ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE',
  );
};

/** Uploads a packaging's template, state and zips under its artifact folder of `bucket`. */
const uploadArtifacts = async (
  s3: S3Client,
  service: PackagedService,
  bucket: string,
): Promise<string> => {
  const folder = service.state.artifactDirectoryName;
  const templateKey = `${folder}/compiled-cloudformation-template.json`;
  const uploads: [string, string, string][] = [
    [templateKey, service.templatePath, 'application/json'],
    [
      `${folder}/serverless-state.json`,
      join(service.dir, 'serverless-state.json'),
      'application/json',
    ],
    ...zipKeys(service).map(([key, path]): [string, string, string] => [
      key,
      path,
      'application/zip',
    ]),
  ];
  for (const [key, path, contentType] of uploads) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: await readFile(path),
        ContentType: contentType,
      }),
    );
  }
  return templateKey;
};

/**
 * Updates the stack from a packaging as `serverless deploy` does once the stack exists: the
 * artifacts go to the deployment bucket, the stack is updated from the uploaded template, and
 * the stack is read back.
 */
const updateFrom = async (
  cloudFormation: CloudFormationClient,
  s3: S3Client,
  service: PackagedService,
  bucketName: string,
): Promise<DeployedStack> => {
  const templateKey = await uploadArtifacts(s3, service, bucketName);
  await cloudFormation
    .send(
      new DeleteChangeSetCommand({
        StackName: service.stackName,
        ChangeSetName: `${service.stackName}-change-set`,
      }),
    )
    .catch(() => undefined);
  await runChangeSet(cloudFormation, service, ChangeSetType.UPDATE, {
    TemplateURL: `https://s3.amazonaws.com/${bucketName}/${templateKey}`,
  });
  const { StackResourceSummaries: summaries = [] } = await cloudFormation.send(
    new ListStackResourcesCommand({ StackName: service.stackName }),
  );
  // moto lists the resources it only stubs without a logical id, and some without a physical id.
  const physical = new Map(
    summaries
      .filter((summary) => summary.LogicalResourceId)
      .map((summary) => [summary.LogicalResourceId ?? '', summary.PhysicalResourceId ?? '']),
  );
  const { Stacks: [described] = [] } = await cloudFormation.send(
    new DescribeStacksCommand({ StackName: service.stackName }),
  );
  return {
    stackName: service.stackName,
    region: service.state.region,
    bucket: bucketName,
    logicalIds: [...physical.keys()],
    outputs: Object.fromEntries(
      (described?.Outputs ?? []).map((output) => [
        output.OutputKey ?? '',
        output.OutputValue ?? '',
      ]),
    ),
    physicalId: (logicalId) => {
      const id = physical.get(logicalId);
      if (!id) throw new Error(`the deployed stack has no ${logicalId} with a physical id`);
      return id;
    },
  };
};

/** The clients a deployment uses, closed after it. */
const withDeployClients = async <T>(
  moto: Pick<MotoServer, 'endpoint'>,
  region: string,
  work: (cloudFormation: CloudFormationClient, s3: S3Client) => Promise<T>,
): Promise<T> => {
  const config = motoClientConfig(moto, region);
  const cloudFormation = new CloudFormationClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    return await work(cloudFormation, s3);
  } finally {
    cloudFormation.destroy();
    s3.destroy();
  }
};

/**
 * Deploys a packaging into moto the way `serverless deploy` deploys it into AWS (osls's deploy
 * plugin, change sets being its default): the stack is created from the create template (the
 * deployment bucket), the template, the state file and the zips are uploaded to that bucket under
 * the packaging's artifact folder, and the stack is updated from the uploaded template.
 */
export const deployToMoto = (
  service: PackagedService,
  moto: Pick<MotoServer, 'endpoint'>,
): Promise<DeployedStack> =>
  withDeployClients(moto, service.state.region, async (cloudFormation, s3) => {
    const createTemplate = await readFile(service.createTemplatePath, 'utf8');
    await runChangeSet(cloudFormation, service, ChangeSetType.CREATE, {
      TemplateBody: createTemplate,
    });
    // As osls's getServerlessDeploymentBucketName finds it.
    const { StackResourceDetail: bucket } = await cloudFormation.send(
      new DescribeStackResourceCommand({
        StackName: service.stackName,
        LogicalResourceId: 'ServerlessDeploymentBucket',
      }),
    );
    const bucketName = bucket?.PhysicalResourceId;
    if (!bucketName) throw new Error('the create stack made no deployment bucket');
    return updateFrom(cloudFormation, s3, service, bucketName);
  });

/**
 * Deploys another packaging of the same stage onto a stack deployToMoto made, as a second
 * `serverless deploy` with other parameters does.
 */
export const redeployToMoto = (
  service: PackagedService,
  moto: Pick<MotoServer, 'endpoint'>,
  stack: DeployedStack,
): Promise<DeployedStack> => {
  if (service.stackName !== stack.stackName) {
    throw new Error(`${service.stackName} is not the stack ${stack.stackName}`);
  }
  return withDeployClients(moto, service.state.region, (cloudFormation, s3) =>
    updateFrom(cloudFormation, s3, service, stack.bucket),
  );
};

/** Each zip of the packaging, under the S3 key its function's `Code` names in the template. */
const zipKeys = (service: PackagedService): [string, string][] =>
  Object.values(service.template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => {
      const key = (resource.Properties.Code as { S3Key: string }).S3Key;
      return [key, join(service.dir, basename(key))];
    });

/** A route of an HTTP API, as API Gateway v2's GetRoutes lists it. */
export interface HttpApiRoute {
  readonly routeKey: string;
  /** `integrations/<IntegrationId>`. */
  readonly target: string;
}

/**
 * GetRoutes of an HTTP API in moto. The project has no API Gateway v2 client, and moto checks no
 * signature: it only reads the service and the region from the Authorization header's scope.
 */
export const httpApiRoutes = async (
  moto: Pick<MotoServer, 'endpoint'>,
  region: string,
  apiId: string,
): Promise<HttpApiRoute[]> => {
  const scope = `moto/20260101/${region}/apigateway/aws4_request`;
  const response = await fetch(`${moto.endpoint}/v2/apis/${apiId}/routes`, {
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`,
    },
  });
  if (!response.ok) {
    throw new Error(`GetRoutes of ${apiId} answered ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { items: HttpApiRoute[] }).items;
};
