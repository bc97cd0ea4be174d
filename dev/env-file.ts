import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UserError } from '../ops/user-error.ts';

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/;

/** The variables of a dotenv file, or an empty set when there is none. */
export const readEnvFile = (path: string): Record<string, string> => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError(`cannot read ${path}: check its permissions, or remove it`);
  }
  let quote: string | undefined;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    // A quoted value may span lines; only the lines that start an assignment are checked.
    if (quote === undefined) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      if (!ASSIGNMENT.test(line)) {
        throw new UserError(
          `${path} line ${index + 1} is not NAME=value: fix or remove it and run the command again`,
        );
      }
      const value = line.slice(line.indexOf('=') + 1).trimStart();
      const opening = value[0];
      if ((opening === '"' || opening === "'" || opening === '`') && !closes(value, opening)) {
        quote = opening;
      }
    } else if (line.includes(quote)) {
      quote = undefined;
    }
  }
  const parsed = parseEnv(text);
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (value !== undefined) variables[name] = value;
  }
  return variables;
};

const closes = (value: string, quote: string): boolean => value.indexOf(quote, 1) > 0;
