import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  UnauthorizedSigningHubError,
} from '../../lib/signinghub/errors.ts';

/*
 * SigningHub's answers as the client throws them, for the fakes that stand in for the client in
 * the use cases' tests. The client's own tests prove which answer becomes which error.
 */

/** A 503. */
export const busy = (operation: 'finish' | 'workflow' = 'finish') =>
  new RetryableSigningHubError(operation, { httpStatus: 503, message: 'busy' });

/** A 429 whose Retry-After asks for `retryAfterMs`. */
export const slowDown = (retryAfterMs: number) =>
  new RetryableSigningHubError('finish', { httpStatus: 429, message: 'slow down' }, retryAfterMs);

/** A 403: a failure for good. */
export const accountDisabled = () =>
  new FinalSigningHubError('finish', { httpStatus: 403, message: 'Account is disabled' });

/** A 401 for a token SigningHub had just issued. */
export const unauthorized = () =>
  new UnauthorizedSigningHubError('finish', {
    httpStatus: 401,
    message: 'Request authorization denied',
  });

/** The account's credentials refused. */
export const credentialsRefused = () =>
  new AuthenticationError({ httpStatus: 400, message: 'invalid_grant' });

/** No time left in the invocation to send the request. */
export const notSent = () =>
  new SigningHubAbortedError('finish', { message: 'not sent: no time left' });
