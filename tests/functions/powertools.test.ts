import middy from '@middy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { handlerPowertools } from '../../functions/powertools.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { captureOutput } from '../support/output-capture.ts';

const FUNCTION_NAME = 'signinghub-finish-local-finish';
const offline = process.env.IS_OFFLINE;

afterEach(() => {
  if (offline === undefined) delete process.env.IS_OFFLINE;
  else process.env.IS_OFFLINE = offline;
});

/** The line a handler built on handlerPowertools() logs in one invocation, IS_OFFLINE as given. */
const lineLogged = async (isOffline: string | undefined): Promise<Record<string, unknown>> => {
  if (isOffline === undefined) delete process.env.IS_OFFLINE;
  else process.env.IS_OFFLINE = isOffline;
  const { log, lambdaContext: context } = handlerPowertools();
  const handler = middy(async () => log.info('finish succeeded', { packageId: 42 })).use(context);
  const output = captureOutput();
  try {
    await handler({}, lambdaContext(60_000, { functionName: FUNCTION_NAME }));
    const [line] = output.lines();
    if (line === undefined) throw new Error('the handler logged nothing');
    return line;
  } finally {
    output.stop();
  }
};

describe("the handlers' log line, in Lambda and offline", () => {
  it('leaves the function’s name to the log group in Lambda', async () => {
    const line = await lineLogged(undefined);
    expect(line).toMatchObject({ message: 'finish succeeded', packageId: 42 });
    expect(line).not.toHaveProperty('function_name');
  });

  it('names the function offline, where serverless-offline sets IS_OFFLINE to "true"', async () => {
    expect((await lineLogged('true')).function_name).toBe(FUNCTION_NAME);
    expect(await lineLogged('false')).not.toHaveProperty('function_name');
  });
});
