import { isHelpRequested, isUsageError } from './command-line.ts';
import { isUserError } from './user-error.ts';

const isErrno = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && 'code' in error;

/** One line for any failure: the user's own mistakes say what to do, nothing prints a stack. */
export const describeFailure = (error: unknown): string => {
  if (isUserError(error)) return error.message;
  if (isErrno(error) && error.code === 'ECONNREFUSED') {
    return 'the local stack did not answer; is `npm start` still running? Start it again and retry';
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  if (cause && isErrno(cause) && cause.code === 'ECONNREFUSED') {
    return 'the local stack did not answer; is `npm start` still running? Start it again and retry';
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `unexpected error (${text.split('\n')[0]}); please report it with the command you ran`;
};

/**
 * Runs a command line's main and exits with its code: `--help` prints the help and exits 0, a
 * command line that does not parse prints one line and exits 2, any other failure one line and 1.
 */
export const runCommand = (main: () => Promise<number | undefined>): void => {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (isHelpRequested(error)) {
        process.stdout.write(error.message);
        process.exitCode = 0;
        return;
      }
      process.stderr.write(`${describeFailure(error)}\n`);
      process.exitCode = isUsageError(error) ? 2 : 1;
    },
  );
};
