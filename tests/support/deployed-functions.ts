import { createHash } from 'node:crypto';
import { type CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FunctionCode } from '../../harness/lambda-runtime.ts';
import type { CfnTemplate } from './cloudformation.ts';
import type { DeployedStack } from './moto-deploy.ts';

export interface DeployedCode extends FunctionCode {
  /** What Lambda says it holds: the base64 SHA-256 of the zip. */
  readonly codeSha256: string;
  readonly functionArn: string;
  /** The execution role Lambda runs the function with. */
  readonly roleArn: string;
}

/**
 * A deployed function as Lambda would run it: its configuration from GetFunctionConfiguration and
 * its zip from the deployment bucket, under the key of the template CloudFormation deployed,
 * checked against the code hash Lambda keeps.
 */
export const deployedCode = async (
  aws: {
    readonly lambda: LambdaClient;
    readonly s3: S3Client;
    readonly cloudFormation: CloudFormationClient;
  },
  stack: DeployedStack,
  logicalId: string,
): Promise<DeployedCode> => {
  const config = await aws.lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: stack.physicalId(logicalId) }),
  );
  const { TemplateBody: body } = await aws.cloudFormation.send(
    new GetTemplateCommand({ StackName: stack.stackName }),
  );
  const template = JSON.parse(body ?? '{}') as CfnTemplate;
  const code = template.Resources[logicalId]?.Properties.Code as { S3Key?: string } | undefined;
  if (!code?.S3Key) throw new Error(`the deployed template has no code for ${logicalId}`);
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: code.S3Key }));
  const zip = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  const sha256 = createHash('sha256').update(zip).digest('base64');
  if (sha256 !== config.CodeSha256) {
    throw new Error(`${code.S3Key} is not the code ${logicalId} holds (${config.CodeSha256})`);
  }
  return {
    functionName: config.FunctionName ?? '',
    functionArn: config.FunctionArn ?? '',
    roleArn: config.Role ?? '',
    zip,
    codeSha256: sha256,
    handler: config.Handler ?? '',
    runtime: config.Runtime ?? '',
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    region: stack.region,
    environment: config.Environment?.Variables ?? {},
  };
};
