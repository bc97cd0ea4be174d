/** Base of every error this project throws on purpose; `cause` keeps the original error. */
export class SigningHubFinishError extends Error {
  override name = 'SigningHubFinishError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A setting is missing or malformed; the message names the variable. */
export class ConfigError extends SigningHubFinishError {
  override name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.variable = variable;
  }
}

export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;

/** DynamoDB could not be reached or refused the request (not a failed condition); `cause` says how. */
export class StoreError extends SigningHubFinishError {
  override name = 'StoreError';
  readonly operation: string;

  constructor(operation: string, options: ErrorOptions) {
    super(`DynamoDB ${operation} failed${describeCause(options.cause)}`, options);
    this.operation = operation;
  }
}

const describeCause = (cause: unknown): string =>
  cause instanceof Error ? `: ${cause.name}: ${cause.message}` : '';
