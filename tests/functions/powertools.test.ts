import middy from '@middy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { handlerPowertools } from '../../functions/powertools.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { emfBlobs } from '../support/emf.ts';
import { captureOutput } from '../support/output-capture.ts';

const FUNCTION_NAME = 'signinghub-finish-local-finish';
const SETTINGS = ['IS_OFFLINE', 'POWERTOOLS_METRICS_DISABLED', 'AWS_LAMBDA_INITIALIZATION_TYPE'];
const before = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of SETTINGS) {
    const value = before[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
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

  it('writes its metrics in SigningHubFinish, ColdStart on the first invocation, and no empty line', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const { emf, lambdaContext: context, flushMetrics } = handlerPowertools();
    let counts = 1;
    const handler = middy(async () => {
      if (counts > 0) emf.addMetric('FinishSucceeded', 'Count', counts);
    })
      .use(context)
      .use(flushMetrics);
    const output = captureOutput();
    try {
      await handler({}, lambdaContext(60_000, { functionName: FUNCTION_NAME }));
      counts = 0;
      await expect(
        handler({}, lambdaContext(60_000, { functionName: FUNCTION_NAME })),
      ).resolves.toBeUndefined();
      const blobs = emfBlobs(output.lines());
      expect(blobs.map(({ namespace, units }) => [namespace, Object.keys(units)])).toEqual([
        ['SigningHubFinish', ['ColdStart']],
        ['SigningHubFinish', ['FinishSucceeded']],
      ]);
    } finally {
      output.stop();
    }
  });
});
