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
