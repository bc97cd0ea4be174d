import { SigningHubFinishError } from '../errors.ts';

export interface SigningHubErrorDetails {
  /** The HTTP status SigningHub answered with; absent for timeouts and network errors. */
  readonly httpStatus?: number;
  /** SigningHub's own message, or ours when it said nothing. Never holds a credential or token. */
  readonly message: string;
}

/** Something went wrong talking to SigningHub. `retryable` decides what the caller does next. */
export abstract class SigningHubError extends SigningHubFinishError {
  abstract readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly signingHubMessage: string;

  constructor(operation: string, details: SigningHubErrorDetails) {
    const status = details.httpStatus === undefined ? '' : ` (HTTP ${details.httpStatus})`;
    super(`SigningHub ${operation} failed${status}: ${details.message}`);
    this.httpStatus = details.httpStatus;
    this.signingHubMessage = details.message;
  }

  toDetails(): SigningHubErrorDetails {
    return this.httpStatus === undefined
      ? { message: this.signingHubMessage }
      : { httpStatus: this.httpStatus, message: this.signingHubMessage };
  }
}

/** SigningHub refused for good (400, 403, 404): asking again cannot change the answer. */
export class FinalSigningHubError extends SigningHubError {
  override name = 'FinalSigningHubError';
  readonly retryable = false;
}

/** A transient failure (408, 429, 5xx, timeout, network): worth another try later. */
export class RetryableSigningHubError extends SigningHubError {
  override name = 'RetryableSigningHubError';
  readonly retryable = true;
  /** From `Retry-After`, when SigningHub said how long to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(operation: string, details: SigningHubErrorDetails, retryAfterMs?: number) {
    super(operation, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The integration account could not authenticate (bad credentials, an OTP account, a scope the
 * account may not use). Not the package's fault, so retryable: it waits in the queue (and then
 * the dead-letter queue) for an operator instead of failing packages for good.
 */
export class AuthenticationError extends SigningHubError {
  override name = 'AuthenticationError';
  readonly retryable = true;
  readonly otpRequired: boolean;

  constructor(details: SigningHubErrorDetails, otpRequired = false) {
    super('authenticate', details);
    this.otpRequired = otpRequired;
  }
}

/** The caller's signal fired (the Lambda is about to time out): stop and hand back. */
export class SigningHubAbortedError extends SigningHubError {
  override name = 'SigningHubAbortedError';
  readonly retryable = true;
}

export const isSigningHubError = (error: unknown): error is SigningHubError =>
  error instanceof SigningHubError;
