import { describe, expect, it } from 'vitest';
import { npmRun } from '../ops/command-run.ts';
import { COMMAND_TEST_MS, oneLine, startOperatorMoto } from './operator-commands-stage.ts';

/** A moto with nothing deployed: the commands fail before they find anything to act on. */
const moto = startOperatorMoto();

/** With made-up keys moto accepts. */
const withKeys = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...env,
  AWS_ACCESS_KEY_ID: 'operator',
  AWS_SECRET_ACCESS_KEY: 'operator',
});

describe('the operator commands, when they cannot act', () => {
  it(
    'name the stack that does not exist and how to deploy it',
    async () => {
      const env = withKeys(moto().baseEnv);
      for (const [script, ...args] of [
        ['status', '1'],
        ['redrive'],
        ['republish', '1'],
        ['reconcile', '1'],
      ] as const) {
        const result = await npmRun(
          env,
          script,
          ...args,
          '--stage',
          'nosuch',
          '--region',
          'eu-west-1',
        );
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(oneLine(result.stderr)).toBe(
          'no stack signinghub-finish-nosuch in eu-west-1: deploy it with npx serverless ' +
            'deploy --stage nosuch or check --region',
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it.each([
    {
      case: 'there are no AWS credentials and how to get some',
      env: (env: NodeJS.ProcessEnv) => env,
      line:
        'no AWS credentials: set AWS_PROFILE to one of your profiles (run aws sso login for ' +
        'an SSO one), or run aws configure',
      command: ['redrive', '--stage', 'test', '--region', 'eu-west-1'],
    },
    {
      case: 'there is no region and how to give one',
      env: withKeys,
      line: /^no AWS region: pass --region <region>/,
      command: ['status', '--stage', 'test'],
    },
  ])(
    'say $case',
    async ({ env, line, command: [script = '', ...args] }) => {
      const result = await npmRun(env(moto().baseEnv), script, ...args);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const said = oneLine(result.stderr);
      if (typeof line === 'string') expect(said).toBe(line);
      else expect(said).toMatch(line);
    },
    COMMAND_TEST_MS,
  );
});
