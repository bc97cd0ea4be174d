import { describe, expect, it } from 'vitest';
import { npmRun } from '../ops/command-run.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { deployToMoto } from '../support/moto-deploy.ts';
import { packagedService } from '../support/packaged-services.ts';
import { COMMAND_TEST_MS, oneLine, startOperatorMoto } from './operator-commands-stage.ts';

/** A moto, and the stage `test` deployed into it with archiveDocuments false. */
const moto = startOperatorMoto();
const stage = withDeployTools(async () => {
  const service = await packagedService('noArchive');
  const { baseEnv } = moto();
  const stack = await deployToMoto(service, { endpoint: baseEnv.AWS_ENDPOINT_URL ?? '' });
  return {
    stack,
    env: { ...baseEnv, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' },
    region: service.state.region,
  };
}, 300_000);

const OFF =
  'stage test in eu-west-1 does not archive documents: its stack signinghub-finish-test has no ' +
  'ArchiveQueueUrl output (its archiveDocuments parameter is false, or it was deployed before ' +
  'the archive existed); deploy it with archiveDocuments true (the default) to archive';

describe('the archive commands on a stage deployed with archiveDocuments false', () => {
  it(
    'say the archive is off, naming the parameter, whatever they were asked',
    async () => {
      const { stack, env, region } = stage();
      expect(stack.outputs.ArchiveQueueUrl).toBeUndefined();
      for (const args of [
        ['archive', '1'],
        ['archive', '--all-completed'],
        ['redrive', '--queue', 'archive'],
      ]) {
        const [script = '', ...rest] = args;
        const result = await npmRun(env, script, ...rest, '--stage', 'test', '--region', region);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(oneLine(result.stderr)).toBe(OFF);
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    "still redrive the signing events' dead-letter queue",
    async () => {
      const { env, region } = stage();
      const result = await npmRun(env, 'redrive', '--stage', 'test', '--region', region);
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^the dead-letter queue \S+ of stage test in eu-west-1 is empty: nothing to redrive$/,
      );
    },
    COMMAND_TEST_MS,
  );
});
