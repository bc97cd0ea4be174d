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

/** Where a command writes: the process's own streams, or a test's. */
export interface Streams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs a command line's main and answers its exit code: `--help` prints the help and answers 0,
 * a command line that does not parse prints one line and answers 2, any other failure one line
 * and 1.
 */
export const runMain = async (
  main: () => Promise<number | undefined>,
  streams: Streams = process,
): Promise<number> => {
  try {
    return (await main()) ?? 0;
  } catch (error) {
    if (isHelpRequested(error)) {
      streams.stdout.write(error.message);
      return 0;
    }
    streams.stderr.write(`${describeFailure(error)}\n`);
    return isUsageError(error) ? 2 : 1;
  }
};

/** Runs a command line's main (runMain) and exits with its code. */
export const runCommand = (main: () => Promise<number | undefined>): void => {
  void runMain(main).then((code) => {
    process.exitCode = code;
  });
};
