import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../lib/config.ts';
import { UserError } from './user-error.ts';

/** The repository's folder, which `npm start`'s folder (`.local`) is relative to. */
export const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The stack's folder: LOCAL_DIR (environment only, so every command finds the same one). */
export const localDir = (env: Environment): string =>
  resolve(REPO_DIR, env.LOCAL_DIR?.trim() || '.local');

/** A completion event as the local stack records it (one JSON line each in `eventsFile`). */
export interface PublishedEvent {
  readonly id: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly at: string;
}

/** A process the stack started, so a later start can clear it up if this one was killed. */
export interface ChildRecord {
  readonly pid: number;
  /** A piece of its command line, checked before the pid is trusted again. */
  readonly marker: string;
}

/** What `npm start` tells the commands about the running stack (in <LOCAL_DIR>/stack.json). */
export interface StackState {
  readonly pid: number;
  readonly ready: boolean;
  readonly startedAt: string;
  readonly stage: string;
  readonly region: string;
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  readonly httpUrl: string;
  readonly lambdaEndpoint: string;
  readonly finishFunctionName: string;
  /** The SigningHub the functions call: the simulator's URL or the user's host. */
  readonly signingHubUrl: string;
  /** Only when the simulator runs. */
  readonly simulatorUrl: string | undefined;
  /** Carries the callback secret: the file is readable by its owner only. */
  readonly callbackUrl: string;
  readonly eventBridgeUrl: string;
  readonly eventBusName: string;
  readonly eventsFile: string;
  /** The made-up keys its local services were started with (DynamoDB Local keeps tables per key). */
  readonly awsCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The environment its functions run with, as a deployed function's configuration gives it. */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  readonly children: readonly ChildRecord[];
}

export const stateFile = (dir: string): string => join(dir, 'stack.json');

export const writeStackState = async (dir: string, state: Partial<StackState>): Promise<void> => {
  const target = stateFile(dir);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, target);
};

export const removeStackState = (dir: string): Promise<void> => rm(stateFile(dir), { force: true });

export const readStateFile = async (dir: string): Promise<Partial<StackState> | undefined> => {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Partial<StackState>;
  } catch {
    return undefined;
  }
};

export const isAlive = (pid: number | undefined): boolean => {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running, ready stack for the command line tools; otherwise one line saying what to do. */
export const requireRunningStack = async (env: Environment): Promise<StackState> => {
  const dir = localDir(env);
  const state = await readStateFile(dir);
  if (!state || !isAlive(state.pid)) {
    throw new UserError(
      'the local stack is not running: start it with `npm start` (in another terminal) and try again',
    );
  }
  if (!state.ready) {
    throw new UserError('the local stack is still starting: wait for its banner and try again');
  }
  return state as StackState;
};
