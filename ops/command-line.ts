import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UserError } from './user-error.ts';

/** What a command says of itself: its `--help`, and the names its one-line errors use. */
export interface CommandSpec<Options extends ParseArgsOptionsConfig> {
  /** The npm script: `status` for `npm run status`. */
  readonly name: string;
  /** What comes after `npm run <name> --`: `[packageId] [--limit N]`. */
  readonly synopsis: string;
  /** One sentence: what the command does. */
  readonly summary: string;
  /** Each positional word, as the synopsis names it, and what it means. */
  readonly words?: Readonly<Record<string, string>>;
  readonly options: Options;
  /** Each option's help line, in the order of `options` (`--help` is added). */
  readonly flags: { readonly [Name in keyof Options]: string };
  readonly examples: readonly string[];
  /** Whether the command takes words besides its flags. */
  readonly positionals: boolean;
}

/** `--help` was asked for: the help goes to standard output and the command exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

/** A command line that does not parse: one line naming what is wrong, exit 2. */
export class UsageError extends UserError {
  override name = 'UsageError';
}

export const isHelpRequested = (error: unknown): error is HelpRequested =>
  error instanceof HelpRequested;

export const isUsageError = (error: unknown): error is UsageError => error instanceof UsageError;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** `N` for `--max` in `[--max N]`: a flag's value as the synopsis names it, else `<value>`. */
const valueNameOf = (name: string, synopsis: string): string =>
  new RegExp(`--${name} ([^-\\s[\\]|][^\\s[\\]|]*)`).exec(synopsis)?.[1] ?? '<value>';

const flagOf = (name: string, option: ParseArgsOptionsConfig[string], synopsis: string): string =>
  `--${name}${option.type === 'string' ? ` ${valueNameOf(name, synopsis)}` : ''}`;

/** The `--help` text: usage, what it does, each word and flag, examples. */
export const helpText = <Options extends ParseArgsOptionsConfig>(
  spec: CommandSpec<Options>,
): string => {
  const rows: [string, string][] = [
    ...Object.entries(spec.words ?? {}),
    ...Object.entries(spec.options).map(([name, option]): [string, string] => [
      flagOf(name, option, spec.synopsis),
      spec.flags[name] ?? '',
    ]),
    ['--help, -h', 'show this help and exit'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `usage: npm run ${spec.name} -- ${spec.synopsis}`,
    '',
    spec.summary,
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
};

/** The one line that names a command's usage, for its errors. */
export const usageLine = <Options extends ParseArgsOptionsConfig>(
  spec: CommandSpec<Options>,
): string => `usage: npm run ${spec.name} -- ${spec.synopsis} (--help for more)`;

/** What node:util's parseArgs says is wrong, as a line that names it. */
const describeParseError = (error: unknown, args: readonly string[]): string => {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const named = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `unknown flag ${named ?? args.find((arg) => arg.startsWith('-')) ?? ''}`.trimEnd();
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `unexpected word ${named === undefined ? '' : `"${named}"`}`.trimEnd();
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /(--[a-z-]+)/.exec(message)?.[1];
    // The same code for a value missing and for a value given to a flag that takes none.
    const takes = message.includes('does not take an argument')
      ? 'takes no value'
      : 'takes a value';
    return flag ? `${flag} ${takes}` : 'a flag has a wrong value';
  }
  return message.split('\n')[0] ?? 'the command line does not parse';
};

const strictParse = <Options extends ParseArgsOptionsConfig>(
  options: Options,
  allowPositionals: boolean,
  args: readonly string[],
) => parseArgs({ args: [...args], options, allowPositionals, strict: true });

/**
 * The command line's flags and words, strictly: `--help` throws HelpRequested, and anything that
 * does not parse is a UsageError that names it.
 */
export const parseCommand = <Options extends ParseArgsOptionsConfig>(
  spec: CommandSpec<Options>,
  args: readonly string[] = process.argv.slice(2),
) => {
  const options = { ...spec.options, ...HELP };
  let parsed: ReturnType<typeof strictParse<typeof options>>;
  try {
    parsed = strictParse(options, spec.positionals, args);
  } catch (error) {
    if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(helpText(spec));
    throw new UsageError(`${describeParseError(error, args)}; ${usageLine(spec)}`, {
      cause: error,
    });
  }
  if ((parsed.values as { readonly help?: boolean }).help === true)
    throw new HelpRequested(helpText(spec));
  return { values: parsed.values, positionals: parsed.positionals };
};

/** A count given on the command line (`--max 5`): a positive integer, or undefined. */
export const positiveIntegerOf = (text: string): number | undefined =>
  /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : undefined;
