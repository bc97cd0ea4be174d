import { fork } from 'node:child_process';
import { pinToCpus } from './affinity.ts';
import type { RoundReport, WorkerCommand, WorkerMessage, Workload } from './worker-protocol.ts';

export interface WorkerProcess {
  run(command: WorkerCommand & { type: 'round' }): Promise<RoundReport>;
  /** A full collection, between rounds (see bench/warm/warm-phase.ts). */
  collect(): Promise<void>;
  stop(): Promise<void>;
}

const WORKER = new URL('./warm-worker.ts', import.meta.url);

export interface WorkerOptions {
  /** Node flags for the worker, such as `--cpu-prof`. */
  readonly execArgv?: readonly string[];
  /** The CPUs the worker (all its threads) may run on; any, when absent. */
  readonly cpus?: readonly number[];
}

/** Forks a warm worker for `workload` and waits until its handler module has loaded. */
export const startWorker = async (
  workload: Workload,
  env: Readonly<Record<string, string>>,
  options: WorkerOptions = {},
): Promise<WorkerProcess> => {
  const child = fork(WORKER, [workload], {
    execPath: process.execPath,
    // --expose-gc: each round ends with a scavenge of its own, and the bench asks for full
    // collections between rounds (bench/warm-worker.ts).
    execArgv: ['--expose-gc', ...(options.execArgv ?? [])],
    env: { PATH: process.env.PATH ?? '', ...env },
    // A function's logs go to stdout, as in Lambda; nobody reads them here.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const failure = (reason: string) => new Error(`${workload} worker ${reason}\n${stderr}`.trim());

  let pending: { resolve(report: WorkerMessage): void; reject(error: Error): void } | undefined;
  const next = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      pending = { resolve, reject };
    });
  child.on('message', (message: WorkerMessage) => {
    const waiting = pending;
    pending = undefined;
    waiting?.resolve(message);
  });
  child.on('exit', (code, signal) => {
    const waiting = pending;
    pending = undefined;
    waiting?.reject(failure(`exited (${signal ?? code})`));
  });

  const expect = async <T extends WorkerMessage['type']>(type: T) => {
    const message = await next();
    if (message.type === 'error') throw failure(`failed: ${message.message}`);
    if (message.type !== type) throw failure(`answered ${message.type}, not ${type}`);
    return message as Extract<WorkerMessage, { type: T }>;
  };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send({ type: 'stop' } satisfies WorkerCommand);
    // Generous: a worker under `--cpu-prof` writes its profile as it exits.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const ready = expect('ready');
    ready.catch(() => undefined);
    // Pinned while it loads: the threads it starts later inherit the mask.
    if (options.cpus && child.pid !== undefined) await pinToCpus(child.pid, options.cpus);
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    run: async (command) => {
      const reply = expect('round');
      child.send(command);
      return reply;
    },
    collect: async () => {
      const reply = expect('collected');
      child.send({ type: 'collect' } satisfies WorkerCommand);
      await reply;
    },
    stop,
  };
};
