import type { Environment } from '../lib/config.ts';
import { onLocalStack } from './local-target.ts';
import { requireRunningStack } from './stack-state.ts';
import { onStage } from './stage-target.ts';
import { NO_LOCAL_ARCHIVE_QUEUES, NO_LOCAL_QUEUES, type TargetOpener } from './target.ts';
import { UserError } from './user-error.ts';

/** How each kind of target is opened (the tests give their own). */
export interface Openers {
  readonly onStage: typeof onStage;
  readonly onLocalStack: typeof onLocalStack;
  readonly requireRunningStack: typeof requireRunningStack;
}

/**
 * How the commands reach their target with this environment: a deployed stage through the AWS
 * CLI's region and credentials, or the local stack through what npm start published.
 */
export const targetOpener =
  (
    env: Environment,
    openers: Openers = { onStage, onLocalStack, requireRunningStack },
  ): TargetOpener =>
  async (target, work, needs = {}) => {
    if (target.kind === 'stage') return openers.onStage(target, env, work);
    // What the local stack lacks it lacks whether or not it runs: said before looking.
    if (needs.queues) throw new UserError(NO_LOCAL_QUEUES);
    if (needs.archiveQueues) throw new UserError(NO_LOCAL_ARCHIVE_QUEUES);
    return openers.onLocalStack(await openers.requireRunningStack(env), work);
  };
