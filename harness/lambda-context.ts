import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Which function the context says is running; the defaults name the test stage's finish. */
export interface LambdaIdentity {
  readonly functionName?: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly logStreamName?: string;
}

/** A Lambda context for a handler run in this process, whose clock runs out after `timeoutMs`. */
export const lambdaContext = (timeoutMs = 60_000, identity: LambdaIdentity = {}): Context => {
  const {
    functionName = 'signinghub-finish-test-finish',
    region = 'eu-west-1',
    accountId = '123456789012',
    logStreamName = '2026/11/27/[$LATEST]test',
  } = identity;
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
