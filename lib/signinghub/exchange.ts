import { isNetworkError, isTimeoutError } from 'ky';
import { RetryableSigningHubError, SigningHubAbortedError } from './errors.ts';

/**
 * Runs one HTTP exchange (a request, or the reading of its body) and turns its transport failures
 * into SigningHub errors, without secrets: cancelled by the invocation's `signal`, no answer
 * within `timeoutMs`, or a network error named by its code.
 */
export const exchange = async <T>(
  operation: string,
  { signal, timeoutMs }: { readonly signal: AbortSignal | undefined; readonly timeoutMs: number },
  send: () => Promise<T>,
): Promise<T> => {
  try {
    return await send();
  } catch (error) {
    if (signal?.aborted) {
      throw new SigningHubAbortedError(
        operation,
        { message: 'cancelled: the invocation is about to time out' },
        { cause: error },
      );
    }
    if (isTimeoutError(error)) {
      throw new RetryableSigningHubError(
        operation,
        { message: `no answer within ${timeoutMs} ms` },
        undefined,
        { cause: error },
      );
    }
    const reason = isNetworkError(error) ? describeCause(error.cause) : describeCause(error);
    throw new RetryableSigningHubError(
      operation,
      { message: `network error: ${reason}` },
      undefined,
      { cause: error },
    );
  }
};

const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = cause.cause instanceof Error ? describeCause(cause.cause) : undefined;
    return [typeof code === 'string' ? code : cause.message, inner].filter(Boolean).join(': ');
  }
  return 'unknown';
};
