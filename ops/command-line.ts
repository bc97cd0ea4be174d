import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from './user-error.ts';

/** The command line's options and words; a line that does not parse is answered with the usage. */
export const parseCommandLine = <Config extends ParseArgsConfig>(config: Config, usage: string) => {
  try {
    return parseArgs(config);
  } catch {
    throw new UserError(usage);
  }
};

/** A count given on the command line (`--max 5`): a positive integer, or undefined. */
export const positiveIntegerOf = (text: string): number | undefined =>
  /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : undefined;
