import { describe, expect, it } from 'vitest';
import {
  type CommandSpec,
  type HelpRequested,
  helpText,
  isHelpRequested,
  isUsageError,
  parseCommand,
  UsageError,
} from '../../ops/command-line.ts';

const OPTIONS = {
  max: { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

const SPEC: CommandSpec<typeof OPTIONS> = {
  name: 'tool',
  synopsis: '<what> [--max N] [--quiet] --name <who>|--quiet',
  summary: 'Does a thing.',
  words: { '<what>': 'the thing' },
  options: OPTIONS,
  flags: { max: 'at most N', name: 'whose', quiet: 'say less' },
  examples: ['npm run tool -- x --max 2'],
  positionals: true,
};

const failureOf = (args: readonly string[], spec: CommandSpec<typeof OPTIONS> = SPEC) => {
  try {
    parseCommand(spec, args);
  } catch (error) {
    return error;
  }
  throw new Error('it parsed');
};

describe('helpText', () => {
  it('names each value as the synopsis does, and <value> where the synopsis does not', () => {
    expect(helpText(SPEC)).toBe(
      [
        'usage: npm run tool -- <what> [--max N] [--quiet] --name <who>|--quiet',
        '',
        'Does a thing.',
        '',
        '  <what>        the thing',
        '  --max N       at most N',
        '  --name <who>  whose',
        '  --quiet       say less',
        '  --help, -h    show this help and exit',
        '',
        'examples:',
        '  npm run tool -- x --max 2',
        '',
      ].join('\n'),
    );
    const unnamed = helpText({ ...SPEC, synopsis: '[--max] [--name=<who>]', words: undefined });
    expect(unnamed).toContain('\n  --max <value>   at most N\n');
    expect(unnamed).toContain('\n  --name <value>  whose\n');
  });
});

describe('parseCommand', () => {
  it('answers the flags and words', () => {
    expect(parseCommand(SPEC, ['x', '--max', '3', '--quiet'])).toEqual({
      values: { max: '3', quiet: true },
      positionals: ['x'],
    });
  });

  it('throws the help for --help and -h', () => {
    for (const help of ['--help', '-h']) {
      const error = failureOf([help]);
      expect(isHelpRequested(error)).toBe(true);
      expect((error as HelpRequested).message).toBe(helpText(SPEC));
    }
    expect(isHelpRequested(new Error('no'))).toBe(false);
    expect((failureOf(['-h']) as Error).name).toBe('HelpRequested');
  });

  it('throws the help for -h even beside a flag that does not parse', () => {
    for (const help of ['--help', '-h']) {
      expect(isHelpRequested(failureOf(['--maks', help]))).toBe(true);
    }
  });

  it('reads the command line of the process when given none', () => {
    const argv = process.argv;
    process.argv = ['node', 'ops/cli/tool.ts', 'x', '--quiet'];
    try {
      expect(parseCommand(SPEC)).toEqual({ values: { quiet: true }, positionals: ['x'] });
    } finally {
      process.argv = argv;
    }
  });

  it.each([
    [['--maks', '3'], 'unknown flag --maks'],
    [['--max'], '--max takes a value'],
    [['x', '--max', '--quiet'], '--max takes a value'],
    [['x', '--quiet=yes'], '--quiet takes no value'],
  ])('names what is wrong in %j', (args, line) => {
    const error = failureOf(args);
    expect(isUsageError(error)).toBe(true);
    expect((error as UsageError).message).toBe(
      `${line}; usage: npm run tool -- <what> [--max N] [--quiet] --name <who>|--quiet (--help for more)`,
    );
  });

  it("keeps parseArgs' own error as the cause, and its first line when it is not about the words", () => {
    const unknown = failureOf(['--maks']) as UsageError;
    expect((unknown.cause as NodeJS.ErrnoException).code).toBe('ERR_PARSE_ARGS_UNKNOWN_OPTION');
    const misdeclared = {
      ...SPEC,
      options: { ...OPTIONS, max: { type: 'string', short: 'mm' } },
    } as const;
    expect((failureOf(['x'], misdeclared) as UsageError).message).toBe(
      "The property 'options.max.short' must be a single character. Received 'mm'; usage: npm run " +
        'tool -- <what> [--max N] [--quiet] --name <who>|--quiet (--help for more)',
    );
  });

  it('names a word a command without words does not take', () => {
    const error = failureOf(['stray'], { ...SPEC, positionals: false });
    expect((error as UsageError).message).toMatch(/^unexpected word "stray"; usage: /);
  });

  it('is a UsageError only for a command line that does not parse', () => {
    expect(isUsageError(new UsageError('x'))).toBe(true);
    expect(isUsageError(new Error('x'))).toBe(false);
  });
});
