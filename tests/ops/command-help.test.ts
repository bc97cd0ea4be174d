import { describe, expect, it } from 'vitest';
import { archiveCommand } from '../../ops/archive-command.ts';
import { reconcile } from '../../ops/reconcile-command.ts';
import { redriveCommand } from '../../ops/redrive-command.ts';
import { republish } from '../../ops/republish-command.ts';
import type { Streams } from '../../ops/run-command.ts';
import { status } from '../../ops/status-command.ts';
import type { TargetOpener } from '../../ops/target.ts';
import { NEVER_OPENED, run } from './command-run.ts';

type Command = (args: readonly string[], open: TargetOpener, streams: Streams) => Promise<number>;

const TARGET = '[--stage <stage> [--region <region>]] [--json]';

/** Each ops command: its synopsis, and the flags its help names with their values. */
const COMMANDS: readonly {
  readonly name: string;
  readonly command: Command;
  readonly synopsis: string;
  readonly flags: readonly string[];
}[] = [
  {
    name: 'status',
    command: status,
    synopsis: `[packageId [--tenant <id>]] [--limit N] ${TARGET}`,
    flags: ['--tenant <id>', '--limit N'],
  },
  {
    name: 'redrive',
    command: redriveCommand,
    synopsis: `[--queue <name>] [--max N] ${TARGET}`,
    flags: ['--queue <name>', '--max N'],
  },
  {
    name: 'archive',
    command: archiveCommand,
    synopsis: `{<packageId> [--force] | --all-completed [--max N] [--after <cursor>]} [--tenant <id>] ${TARGET}`,
    flags: [
      '<packageId>',
      '--force',
      '--all-completed',
      '--max N',
      '--after <cursor>',
      '--tenant <id>',
    ],
  },
  {
    name: 'republish',
    command: republish,
    synopsis: `<packageId> [--tenant <id>] ${TARGET}`,
    flags: ['<packageId>', '--tenant <id>'],
  },
  {
    name: 'reconcile',
    command: reconcile,
    synopsis: `<packageId> [--tenant <id>] ${TARGET}`,
    flags: ['<packageId>', '--tenant <id>'],
  },
];

describe.each(COMMANDS)('npm run $name', ({ name, command, synopsis, flags }) => {
  it('answers --help (or -h) with its usage, each flag with its value, examples, and exit 0', async () => {
    for (const help of ['--help', '-h']) {
      const { code, stdout, stderr } = await run((streams) =>
        command([help], NEVER_OPENED, streams),
      );
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.split('\n');
      expect(lines[0]).toBe(`usage: npm run ${name} -- ${synopsis}`);
      for (const flag of [
        ...flags,
        '--stage <stage>',
        '--region <region>',
        '--json',
        '--help, -h',
      ]) {
        expect(lines.some((line) => line.startsWith(`  ${flag}  `))).toBe(true);
      }
      expect(stdout).not.toContain('<value>');
      // One sentence says what it does; each word and flag has its help; each example is a run.
      expect(lines[1]).toBe('');
      expect(lines[2]).toMatch(/^[A-Z].*\S\.$/);
      const examples = lines.indexOf('examples:');
      for (const row of lines.slice(4, examples - 1)) expect(row).toMatch(/^ {2}\S.* {2}\S/);
      for (const example of lines.slice(examples + 1, -1)) {
        expect(example).toMatch(new RegExp(`^ {2}npm run ${name}( -- \\S.*)?$`));
      }
      expect(stdout).toMatch(new RegExp(`\\nexamples:\\n {2}npm run ${name}\\b`));
      if (flags.includes('--tenant <id>')) {
        expect(stdout).toContain(`\n  npm run ${name} -- 1001 --tenant acme\n`);
      }
    }
  });

  it('answers --help even beside a mistake in the rest of the line', async () => {
    const { code, stdout } = await run((streams) =>
      command(['--nonsense', '--help'], NEVER_OPENED, streams),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
  });

  it('names an unknown flag in one line and exits 2, opening nothing', async () => {
    const { code, stdout, stderr } = await run((streams) =>
      command(['--sage', 'prod'], NEVER_OPENED, streams),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `unknown flag --sage; usage: npm run ${name} -- ${synopsis} (--help for more)\n`,
    );
  });
});
