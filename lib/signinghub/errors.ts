import { SigningHubFinishError } from '../errors.ts';

export interface SigningHubErrorDetails {
  /** The HTTP status SigningHub answered with; absent for timeouts and network errors. */
  readonly httpStatus?: number;
  /** SigningHub's own message, or ours when it said nothing. Never holds a credential or token. */
  readonly message: string;
}

/**
 * When asking again can help: `never` (the answer is final), `soon` (after a backoff, inside this
 * invocation), `later` (not inside this invocation: hand the message back to the queue).
 */
export type RetryWhen = 'never' | 'soon' | 'later';

/** Something went wrong talking to SigningHub. `retry` decides what the caller does next. */
export abstract class SigningHubError extends SigningHubFinishError {
  abstract readonly retry: RetryWhen;
  readonly httpStatus: number | undefined;
  readonly signingHubMessage: string;

  constructor(operation: string, details: SigningHubErrorDetails, options?: ErrorOptions) {
    const status = details.httpStatus === undefined ? '' : ` (HTTP ${details.httpStatus})`;
    super(`SigningHub ${operation} failed${status}: ${details.message}`, options);
    this.httpStatus = details.httpStatus;
    this.signingHubMessage = details.message;
  }

  get retryable(): boolean {
    return this.retry !== 'never';
  }

  toDetails(): SigningHubErrorDetails {
    return this.httpStatus === undefined
      ? { message: this.signingHubMessage }
      : { httpStatus: this.httpStatus, message: this.signingHubMessage };
  }
}

/** A kind of SigningHubError: its name, and when asking again can help. */
const kind = <R extends RetryWhen>(errorName: string, retry: R) =>
  class extends SigningHubError {
    override name = errorName;
    readonly retry = retry;
  };

/** SigningHub refused for good (400, 403, 404, 410, 422): asking again cannot change the answer. */
export class FinalSigningHubError extends kind('FinalSigningHubError', 'never') {}

/** A transient failure (408, 429, 5xx, any other status, timeout, network): worth another try. */
export class RetryableSigningHubError extends kind('RetryableSigningHubError', 'soon') {
  /** From `Retry-After`, when SigningHub said how long to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(
    operation: string,
    details: SigningHubErrorDetails,
    retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(operation, details, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * SigningHub refused a token it had just issued (401 on the try with a fresh token). Another
 * token now would be refused too: the message goes back to the queue instead of a hot loop.
 */
export class UnauthorizedSigningHubError extends kind('UnauthorizedSigningHubError', 'later') {}

/**
 * The integration account could not authenticate (bad credentials, an OTP account, a scope the
 * account may not use). Not the package's fault, and not mended within an invocation: the
 * message waits in the queue (and then the dead-letter queue) for an operator.
 */
export class AuthenticationError extends kind('AuthenticationError', 'later') {
  readonly otpRequired: boolean;

  constructor(details: SigningHubErrorDetails, otpRequired = false) {
    super('authenticate', details);
    this.otpRequired = otpRequired;
  }
}

/**
 * No request was sent, or the one under way was cancelled: the invocation's time for SigningHub
 * is over (its signal fired, or its clock says a request could no longer finish in time).
 */
export class SigningHubAbortedError extends kind('SigningHubAbortedError', 'later') {}

export const isSigningHubError = (error: unknown): error is SigningHubError =>
  error instanceof SigningHubError;
