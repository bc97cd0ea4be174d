import { describe, expect, it } from 'vitest';
import { HelpRequested, UsageError } from '../../ops/command-line.ts';
import { describeFailure, runCommand } from '../../ops/run-command.ts';
import { UserError } from '../../ops/user-error.ts';
import { run } from './command-run.ts';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
const NOT_RUNNING =
  'the local stack did not answer; is `npm start` still running? Start it again and retry';

describe('runMain', () => {
  it('answers 0 for a command that answers nothing, or its own code', async () => {
    expect(await run(async () => undefined)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect((await run(async () => 3)).code).toBe(3);
  });

  it('prints the help on stdout and answers 0', async () => {
    expect(
      await run(async () => {
        throw new HelpRequested('usage: npm run x\n');
      }),
    ).toEqual({ code: 0, stdout: 'usage: npm run x\n', stderr: '' });
  });

  it('says a usage error in one line and answers 2, any other failure 1', async () => {
    const usage = await run(async () => {
      throw new UsageError('unknown flag --x; usage: npm run x');
    });
    expect(usage).toEqual({ code: 2, stdout: '', stderr: 'unknown flag --x; usage: npm run x\n' });
    const failure = await run(async () => {
      throw new UserError('the local stack is still starting');
    });
    expect(failure).toEqual({ code: 1, stdout: '', stderr: 'the local stack is still starting\n' });
  });
});

describe('describeFailure', () => {
  it('says the local stack did not answer, whether the refusal is the error or its cause', () => {
    expect(describeFailure(refused())).toBe(NOT_RUNNING);
    expect(describeFailure(new Error('DynamoDB GetItem failed', { cause: refused() }))).toBe(
      NOT_RUNNING,
    );
  });

  it('asks for a report of anything unexpected, in one line', () => {
    expect(describeFailure(new TypeError('x is not a function\n    at y'))).toBe(
      'unexpected error (TypeError: x is not a function); please report it with the command you ran',
    );
    expect(describeFailure('thrown text')).toBe(
      'unexpected error (thrown text); please report it with the command you ran',
    );
    const other = Object.assign(new Error('nope'), { code: 'ENOENT' });
    expect(describeFailure(new Error('outer', { cause: other }))).toMatch(
      /^unexpected error \(Error: outer\)/,
    );
    expect(describeFailure(new Error('outer', { cause: 'text' }))).toMatch(/^unexpected error/);
    expect(describeFailure(other)).toBe(
      'unexpected error (Error: nope); please report it with the command you ran',
    );
    // Only an Error is taken for a refused connection; anything else thrown is unexpected.
    expect(describeFailure({ code: 'ECONNREFUSED' })).toMatch(/^unexpected error/);
  });
});

describe('runCommand', () => {
  it("sets the process's exit code to the command's", async () => {
    const before = process.exitCode;
    let done: () => void = () => undefined;
    const ran = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      runCommand(async () => {
        done();
        return 3;
      });
      await ran;
      await new Promise((resolve) => setImmediate(resolve));
      expect(process.exitCode).toBe(3);
    } finally {
      process.exitCode = before;
    }
  });
});
