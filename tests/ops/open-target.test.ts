import { describe, expect, it } from 'vitest';
import { type Openers, targetOpener } from '../../ops/open-target.ts';
import type { StackState } from '../../ops/stack-state.ts';
import { NO_LOCAL_QUEUES } from '../../ops/target.ts';
import { fakeTarget } from './command-run.ts';

const ENV = { LOCAL_DIR: '/nowhere' };
const STATE = { tableName: 'local-table' } as StackState;

/** Openers that record what they were asked to open, and open one target in memory. */
const recording = () => {
  const opened: string[] = [];
  const openers: Openers = {
    onStage: async (target, env, work) => {
      opened.push(`stage ${target.stage} ${target.region} ${env.LOCAL_DIR}`);
      return work(fakeTarget({ where: 'the stage' }));
    },
    onLocalStack: async (state, work) => {
      opened.push(`local ${state.tableName}`);
      return work(fakeTarget({ where: 'the local stack' }));
    },
    requireRunningStack: async (env) => {
      opened.push(`running? ${env.LOCAL_DIR}`);
      return STATE;
    },
  };
  return { openers, opened };
};

describe('targetOpener', () => {
  it('opens a deployed stage with the environment, whatever the command needs', async () => {
    const { openers, opened } = recording();
    const open = targetOpener(ENV, openers);
    const stage = { kind: 'stage', stage: 'prod', region: 'eu-west-1' } as const;
    expect(await open(stage, async (target) => target.where)).toBe('the stage');
    expect(await open(stage, async (target) => target.where, { queues: true })).toBe('the stage');
    expect(opened).toEqual(['stage prod eu-west-1 /nowhere', 'stage prod eu-west-1 /nowhere']);
  });

  it('opens the local stack once it knows the stack runs', async () => {
    const { openers, opened } = recording();
    const where = await targetOpener(ENV, openers)({ kind: 'local' }, async (t) => t.where);
    expect(where).toBe('the local stack');
    expect(opened).toEqual(['running? /nowhere', 'local local-table']);
  });

  it('says the local stack has no queues before looking whether it runs', async () => {
    const { openers, opened } = recording();
    const open = targetOpener(ENV, openers);
    await expect(open({ kind: 'local' }, async () => 0, { queues: true })).rejects.toThrow(
      NO_LOCAL_QUEUES,
    );
    expect(opened).toEqual([]);
  });
});
