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
  });

  it.each([
    [['--maks', '3'], 'unknown flag --maks'],
    [['--max'], '--max takes a value'],
    [['x', '--max', '--quiet'], '--max takes a value'],
  ])('names what is wrong in %j', (args, line) => {
    const error = failureOf(args);
    expect(isUsageError(error)).toBe(true);
    expect((error as UsageError).message).toBe(
      `${line}; usage: npm run tool -- <what> [--max N] [--quiet] --name <who>|--quiet (--help for more)`,
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
