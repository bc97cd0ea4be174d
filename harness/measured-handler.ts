import { fork } from 'node:child_process';

/*
 * A function's handler run in a child process (the project's Node 24, this process's own
 * executable), so that its peak memory is measured alone: the archive's memory test and the
 * bench's archive phase read it after the work, as Lambda's memory limit would see it.
 */

export type MeasuredCommand =
  | { readonly type: 'invoke'; readonly event: unknown }
  | { readonly type: 'stop' };

export type MeasuredMessage =
  | { readonly type: 'ready'; readonly peakRssBytes: number }
  | { readonly type: 'result'; readonly result: unknown; readonly peakRssBytes: number }
  | { readonly type: 'error'; readonly message: string; readonly peakRssBytes: number };

export interface Measured<Result> {
  readonly result: Result;
  /** The child's peak resident set size since it started, in bytes. */
  readonly peakRssBytes: number;
}

export interface MeasuredHandler {
  /** The child's process id (the bench pins it to a CPU); undefined if it never started. */
  readonly pid: number | undefined;
  /** The peak RSS once the module had loaded, before any invocation. */
  readonly loadedRssBytes: number;
  /** One invocation at a time; rejects with the child's output when the handler threw. */
  invoke<Result>(event: unknown): Promise<Measured<Result>>;
  /** What the child wrote (the function's logs), the last 50,000 characters. */
  logs(): string;
  stop(): Promise<void>;
}

const WORKER = new URL('./measured-worker.ts', import.meta.url);

export interface MeasuredHandlerOptions {
  /** The module whose `handler` runs: a function's bundle, as Lambda loads it. */
  readonly file: string;
  /** What the Lambda context calls the function. */
  readonly functionName: string;
  /** The child's whole environment, with PATH. */
  readonly env: Readonly<Record<string, string>>;
  /** The context's clock: the function's timeout. */
  readonly timeoutMs?: number;
}

/** Starts the module in a child process and waits until it has loaded. */
export const startMeasuredHandler = async (
  options: MeasuredHandlerOptions,
): Promise<MeasuredHandler> => {
  const { file, functionName: name, env, timeoutMs = 900_000 } = options;
  const child = fork(WORKER, [file, name, String(timeoutMs)], {
    execPath: process.execPath,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let waiting: { resolve(message: MeasuredMessage): void; reject(error: Error): void } | undefined;
  const failure = (reason: string) =>
    new Error(`${name} in its child process: ${reason}\n--- its output ---\n${output}`);
  child.on('message', (message: MeasuredMessage) => {
    const call = waiting;
    waiting = undefined;
    call?.resolve(message);
  });
  child.on('exit', (code, signal) => {
    const call = waiting;
    waiting = undefined;
    call?.reject(failure(`exited (${signal ?? code})`));
  });
  const next = () =>
    new Promise<MeasuredMessage>((resolve, reject) => {
      waiting = { resolve, reject };
    });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send({ type: 'stop' } satisfies MeasuredCommand);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = await next().catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return {
    pid: child.pid,
    loadedRssBytes: ready.peakRssBytes,
    invoke: async <Result>(event: unknown) => {
      const answer = next();
      child.send({ type: 'invoke', event } satisfies MeasuredCommand);
      const message = await answer;
      if (message.type === 'error') throw failure(`the handler threw: ${message.message}`);
      if (message.type !== 'result') throw failure(`answered ${message.type}`);
      return { result: message.result as Result, peakRssBytes: message.peakRssBytes };
    },
    logs: () => output,
    stop,
  };
};
