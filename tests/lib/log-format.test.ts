import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { OperatorLogFormatter } from '../../lib/log-format.ts';
import { captureOutput } from '../support/output-capture.ts';

/**
 * The lines a logger with the formatter prints for three invocations of one instance started on
 * demand, the third traced by X-Ray.
 */
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const contexts = [lambdaContext(), lambdaContext(), lambdaContext()] as const;

// Logged inside each test, not once before them all, so a mutant of the formatter (switched per
// test by mutation testing) is what each test's lines come from.
const logThree = (): Record<string, unknown>[] => {
  const previous = process.env._X_AMZN_TRACE_ID;
  delete process.env._X_AMZN_TRACE_ID;
  // Lambda says how the instance started; Powertools knows a cold start only on demand.
  const initialization = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  const output = captureOutput();
  try {
    const logger = new Logger({
      serviceName: 'signinghub-finish-test',
      logFormatter: new OperatorLogFormatter({ functionName: false }),
    });
    logger.addContext(contexts[0]);
    logger.info('finish succeeded', { packageId: 42, attempt: 1 });
    logger.addContext(contexts[1]);
    logger.warn('finish failed for now', { packageId: 43 });
    process.env._X_AMZN_TRACE_ID = TRACE;
    logger.addContext(contexts[2]);
    logger.info('finish succeeded', { packageId: 44 });
    return output.lines();
  } finally {
    output.stop();
    if (initialization === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initialization;
    if (previous === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = previous;
  }
};

describe('the log line (OperatorLogFormatter)', () => {
  it('keeps what an operator reads, and drops what every line of the stream repeats', () => {
    const warm = logThree()[1];
    expect(warm).toEqual({
      level: 'WARN',
      message: 'finish failed for now',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'signinghub-finish-test',
      function_request_id: contexts[1].awsRequestId,
      packageId: 43,
    });
    expect(Object.keys(warm ?? {})).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'function_request_id',
      'packageId',
    ]);
  });

  it('names the function where functions share one output (offline), after the service', () => {
    const output = captureOutput();
    let line: Record<string, unknown> | undefined;
    try {
      const logger = new Logger({
        serviceName: 'signinghub-finish-local',
        logFormatter: new OperatorLogFormatter({ functionName: true }),
      });
      logger.addContext(
        lambdaContext(60_000, { functionName: 'signinghub-finish-local-callback' }),
      );
      logger.info('callback confirmed', { packageId: 45 });
      line = output.lines()[0];
    } finally {
      output.stop();
    }
    expect(Object.keys(line ?? {}).slice(3, 6)).toEqual([
      'service',
      'function_name',
      'function_request_id',
    ]);
    expect(line?.function_name).toBe('signinghub-finish-local-callback');
  });

  it('says cold_start on the first invocation of an instance only', () => {
    const lines = logThree();
    expect(lines[0]).toMatchObject({
      function_request_id: contexts[0].awsRequestId,
      cold_start: true,
      packageId: 42,
      attempt: 1,
    });
    expect(lines[1]).not.toHaveProperty('cold_start');
    expect(lines[2]).not.toHaveProperty('cold_start');
  });

  it('keeps the X-Ray trace when the invocation is traced', () => {
    const lines = logThree();
    expect(lines[2]?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(lines[1]).not.toHaveProperty('xray_trace_id');
  });
});
