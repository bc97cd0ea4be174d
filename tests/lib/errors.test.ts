import { describe, expect, it } from 'vitest';
import { ConfigError, SigningHubFinishError, StoreError } from '../../lib/errors.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  UnauthorizedSigningHubError,
} from '../../lib/signinghub/errors.ts';

/** The errors' names and messages are what a log line and an item's lastError show. */
describe('the errors the project throws', () => {
  const refused = { httpStatus: 403, message: 'Account is disabled' };
  const silent = { message: 'no answer within 10000 ms' };

  it.each([
    [new FinalSigningHubError('finish', refused), 'FinalSigningHubError', 'never'],
    [new RetryableSigningHubError('finish', refused), 'RetryableSigningHubError', 'soon'],
    [new UnauthorizedSigningHubError('finish', refused), 'UnauthorizedSigningHubError', 'later'],
    [new AuthenticationError(refused), 'AuthenticationError', 'later'],
    [new SigningHubAbortedError('finish', refused), 'SigningHubAbortedError', 'later'],
  ])('%s is named %s and retried %s', (error, name, retry) => {
    expect(error.name).toBe(name);
    expect(error.retry).toBe(retry);
    expect(error.retryable).toBe(retry !== 'never');
    expect(error).toBeInstanceOf(SigningHubFinishError);
  });

  it('says the operation and, when there was one, the HTTP status', () => {
    expect(new FinalSigningHubError('finish', refused).message).toBe(
      'SigningHub finish failed (HTTP 403): Account is disabled',
    );
    expect(new RetryableSigningHubError('workflow', silent).message).toBe(
      'SigningHub workflow failed: no answer within 10000 ms',
    );
    expect(new AuthenticationError(refused).message).toBe(
      'SigningHub authenticate failed (HTTP 403): Account is disabled',
    );
  });

  it('gives the details for lastError, with no httpStatus key when there was none', () => {
    expect(new FinalSigningHubError('finish', refused).toDetails()).toEqual(refused);
    expect(Object.keys(new RetryableSigningHubError('finish', silent).toDetails())).toEqual([
      'message',
    ]);
  });

  it('keeps what an authentication said of a one-time password, false unless told', () => {
    expect(new AuthenticationError(refused).otpRequired).toBe(false);
    expect(new AuthenticationError(refused, true).otpRequired).toBe(true);
  });

  it('names a failed DynamoDB operation and its cause, and keeps the cause', () => {
    const cause = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const error = new StoreError('UpdateItem', { cause });
    expect(error.name).toBe('StoreError');
    expect(error.message).toBe(
      'DynamoDB UpdateItem failed: ProvisionedThroughputExceededException: Rate exceeded',
    );
    expect(error.cause).toBe(cause);
    expect(new StoreError('GetItem', { cause: 'not an error' }).message).toBe(
      'DynamoDB GetItem failed',
    );
  });

  it('names the variable of a bad setting', () => {
    const error = new ConfigError('TABLE_NAME', 'is required but not set');
    expect(error).toMatchObject({
      name: 'ConfigError',
      variable: 'TABLE_NAME',
      message: 'TABLE_NAME is required but not set',
    });
    expect(new SigningHubFinishError('x').name).toBe('SigningHubFinishError');
  });
});
