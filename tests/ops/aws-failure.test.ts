import { describe, expect, it } from 'vitest';
import { StoreError } from '../../lib/errors.ts';
import { asOperatorFailure, awsCall, describeAwsFailure } from '../../ops/aws-failure.ts';
import { isUserError } from '../../ops/user-error.ts';

/** An error shaped as the SDK throws it: a name, a message and the HTTP status. */
const sdkError = (name: string, message: string, httpStatusCode?: number): Error =>
  Object.assign(new Error(message), {
    name,
    ...(httpStatusCode === undefined ? {} : { $metadata: { httpStatusCode } }),
  });

const REGION = 'eu-west-1';

describe('describeAwsFailure', () => {
  it('says there are no credentials and how to get some', () => {
    const error = sdkError(
      'CredentialsProviderError',
      'Could not load credentials from any providers',
    );
    expect(describeAwsFailure(error, REGION)).toBe(
      'no AWS credentials: set AWS_PROFILE to one of your profiles (run aws sso login for an SSO one), or run aws configure',
    );
  });

  it.each([
    sdkError(
      'CredentialsProviderError',
      'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
    ),
    sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400),
  ])('says expired credentials are expired (%s)', (error) => {
    expect(describeAwsFailure(error, REGION)).toBe(
      'your AWS credentials have expired: run aws sso login (or renew them) and try again',
    );
  });

  it('says AWS rejected credentials it does not know', () => {
    const error = sdkError('InvalidClientTokenId', 'The security token is invalid.', 403);
    expect(describeAwsFailure(error, REGION)).toBe(
      'AWS rejected your credentials (InvalidClientTokenId): check AWS_PROFILE and what aws configure holds',
    );
  });

  it('names the action AWS denied, from the call that made it', async () => {
    const denied = sdkError('AccessDenied', 'Access to the resource is denied.', 403);
    const error: unknown = await awsCall('sqs:ReceiveMessage', () => Promise.reject(denied)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBe(denied);
    expect(describeAwsFailure(error, REGION)).toBe(
      'AWS denied sqs:ReceiveMessage to your credentials in eu-west-1: use a profile that is allowed it (docs/operations.md lists what each command needs)',
    );
  });

  it("names the action AWS denied from its message, through the project's own errors", () => {
    const denied = sdkError(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/signinghub-finish-prod because no identity-based policy allows the dynamodb:GetItem action',
      400,
    );
    const error = new StoreError('GetItem', { cause: denied });
    expect(describeAwsFailure(error, REGION)).toMatch(
      /^AWS denied dynamodb:GetItem to your credentials in eu-west-1/,
    );
  });

  it('says AWS rejected the SSO token', () => {
    const error = sdkError('TokenProviderError', 'Token is missing');
    expect(describeAwsFailure(error, REGION)).toMatch(/^no AWS credentials: set AWS_PROFILE/);
  });

  it("says AWS denied a call it cannot name, from the answer's status alone", () => {
    const error = sdkError('Forbidden', 'Forbidden', 403);
    expect(describeAwsFailure(error, REGION)).toBe(
      'AWS denied a call to your credentials in eu-west-1: use a profile that is allowed it (docs/operations.md lists what each command needs)',
    );
  });

  it('names the action from a message that has no colon after "perform"', () => {
    const error = sdkError(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/me is not authorized to perform sqs:ReceiveMessage on resource: q',
      403,
    );
    expect(describeAwsFailure(error, REGION)).toMatch(/^AWS denied sqs:ReceiveMessage to/);
  });

  it('reads ten links of causes, and no further', () => {
    const nested = (depth: number) => {
      let error: Error = sdkError('AccessDenied', 'denied', 403);
      for (let link = 0; link < depth; link += 1) error = new Error('wrapped', { cause: error });
      return error;
    };
    expect(describeAwsFailure(nested(9), REGION)).toMatch(/^AWS denied a call/);
    expect(describeAwsFailure(nested(10), REGION)).toBeUndefined();
    const looped = new Error('looped');
    looped.cause = looped;
    expect(describeAwsFailure(looped, REGION)).toBeUndefined();
  });

  it.each([
    'ENOTFOUND',
    'EAI_AGAIN',
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
  ])('says AWS is out of reach on %s', (code) => {
    const error = Object.assign(new Error(`connect ${code}`), { code });
    expect(describeAwsFailure(error, REGION)).toBe(
      `could not reach AWS in eu-west-1 (${code}): check the network, --region and AWS_ENDPOINT_URL`,
    );
  });

  it('says AWS is out of reach', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND sqs.eu-west-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    expect(describeAwsFailure(error, REGION)).toBe(
      'could not reach AWS in eu-west-1 (ENOTFOUND): check the network, --region and AWS_ENDPOINT_URL',
    );
  });

  it('leaves any other failure alone', () => {
    const error = sdkError(
      'ConditionalCheckFailedException',
      'The conditional request failed',
      400,
    );
    expect(describeAwsFailure(error, REGION)).toBeUndefined();
    expect(asOperatorFailure(error, REGION)).toBe(error);
    expect(describeAwsFailure('text', REGION)).toBeUndefined();
  });

  it('turns a failure it recognises into a UserError that keeps the cause', () => {
    const error = sdkError(
      'CredentialsProviderError',
      'Could not load credentials from any providers',
    );
    const failure = asOperatorFailure(error, REGION);
    expect(isUserError(failure)).toBe(true);
    expect((failure as Error).name).toBe('UserError');
    expect((failure as Error).cause).toBe(error);
  });
});
