import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../harness/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    /** Where this run's packagings go, shared by every test file. */
    packageRoot: string;
  }
}

/**
 * One DynamoDB Local for the whole run; each test file makes its own table in it. And one folder
 * where `serverless package` writes each configuration once, for the files that ask
 * (tests/support/packaged-services.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const packageRoot = await mkdtemp(join(tmpdir(), 'signinghub-package-'));
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('packageRoot', packageRoot);
  return async () => {
    await dynamoDb.stop();
    await rm(packageRoot, { recursive: true, force: true });
  };
}
