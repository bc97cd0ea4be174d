import { isAlive, readStateFile, removeStackState, writeStackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { stopLeftovers } from './leftovers.ts';

/** One stack per folder: a live one is an error, a killed one's leftovers are stopped. */
export const claimFolder = async (dir: string, say: (line: string) => void): Promise<void> => {
  const previous = await readStateFile(dir);
  if (previous?.pid !== undefined && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new UserError(
      `the local stack is already running (pid ${previous.pid}): use it, or stop it with Ctrl-C ` +
        'in its terminal first',
    );
  }
  if (previous) {
    const stopped = await stopLeftovers(previous.children ?? []);
    if (stopped.length > 0) {
      say(`  stopped what an earlier npm start left running (pids ${stopped.join(', ')})`);
    }
    await removeStackState(dir);
  }
  await writeStackState(dir, { pid: process.pid, ready: false, children: [] });
};
