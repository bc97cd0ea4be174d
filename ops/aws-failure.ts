import { UserError } from './user-error.ts';

/** The AWS action each failed call was (`sqs:ReceiveMessage`), kept beside the SDK's own error. */
const actions = new WeakMap<object, string>();

/** Runs one AWS call and remembers its action on the error it throws, for the line that says so. */
export const awsCall = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (typeof error === 'object' && error !== null && !actions.has(error)) {
      actions.set(error, action);
    }
    throw error;
  }
};

/** The error and its causes, outermost first. */
const chainOf = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < 10; ) {
    chain.push(link);
    link = link instanceof Error ? link.cause : undefined;
  }
  return chain;
};

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : '');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : '');
/** The HTTP status of an AWS SDK error's answer, if it had one. */
export const httpStatusOf = (error: unknown): number | undefined => {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata: unknown = error.$metadata;
  return typeof metadata === 'object' &&
    metadata !== null &&
    'httpStatusCode' in metadata &&
    typeof metadata.httpStatusCode === 'number'
    ? metadata.httpStatusCode
    : undefined;
};
const codeOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'AWS.SimpleQueueService.AccessDenied',
]);
const REJECTED = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AuthFailure',
  'InvalidAccessKeyId',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** `sqs:ReceiveMessage` out of AWS's "... is not authorized to perform: sqs:ReceiveMessage on ...". */
const actionInMessage = (message: string): string | undefined =>
  /not authorized to perform:? ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];

const PERMISSIONS_HINT = 'docs/operations.md lists what each command needs';

/**
 * One line saying what to do about a failure to use AWS (no credentials, expired or rejected
 * ones, a denied action, AWS out of reach); undefined for any other failure.
 */
export const describeAwsFailure = (error: unknown, region: string): string | undefined => {
  const chain = chainOf(error);
  const action =
    chain.reduce<string | undefined>(
      (found, link) =>
        found ?? (typeof link === 'object' && link !== null ? actions.get(link) : undefined),
      undefined,
    ) ?? chain.map((link) => actionInMessage(messageOf(link))).find(Boolean);
  for (const link of chain) {
    const name = nameOf(link);
    const message = messageOf(link);
    if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
      return /expired|refresh/i.test(message)
        ? 'your AWS credentials have expired: run aws sso login (or renew them) and try again'
        : 'no AWS credentials: set AWS_PROFILE to one of your profiles (run aws sso login for ' +
            'an SSO one), or run aws configure';
    }
    if (EXPIRED.has(name)) {
      return 'your AWS credentials have expired: run aws sso login (or renew them) and try again';
    }
    if (REJECTED.has(name)) {
      return `AWS rejected your credentials (${name}): check AWS_PROFILE and what aws configure holds`;
    }
    if (DENIED.has(name) || httpStatusOf(link) === 403) {
      return (
        `AWS denied ${action ?? 'a call'} to your credentials in ${region}: use a profile that is ` +
        `allowed it (${PERMISSIONS_HINT})`
      );
    }
    const code = codeOf(link);
    if (code !== undefined && UNREACHABLE.has(code)) {
      return (
        `could not reach AWS in ${region} (${code}${action ? ` on ${action}` : ''}): check the ` +
        'network, --region and AWS_ENDPOINT_URL'
      );
    }
  }
  return undefined;
};

/** The failure as the one line a user gets: a UserError when AWS's answer says what to do. */
export const asOperatorFailure = (error: unknown, region: string): unknown => {
  const line = describeAwsFailure(error, region);
  return line === undefined ? error : new UserError(line, { cause: error });
};
