import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { readZip } from './zip.ts';

/** What a deployed function is, as Lambda's GetFunction and its code zip say. */
export interface FunctionCode {
  readonly functionName: string;
  /** The zip Lambda holds for the function. */
  readonly zip: Buffer;
  /** Like `functions/finish.handler`: a module path under the task root, then an export. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly region: string;
  /** The function's configured environment variables. */
  readonly environment: Readonly<Record<string, string>>;
}

export interface LambdaEnvironment {
  /** Invokes the handler with the event and a context whose clock is the function's timeout. */
  invoke<Result>(event: unknown): Promise<Result>;
  /** What the function wrote (its logs), for a failure's message. */
  logs(): string;
  stop(): Promise<void>;
}

export type RuntimeCommand =
  | { readonly type: 'invoke'; readonly id: number; readonly event: unknown }
  | { readonly type: 'stop' };

export type RuntimeMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

const WORKER = new URL('./lambda-runtime-worker.ts', import.meta.url);

/** The Node.js runtime's order when the handler's module has no extension. */
const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** The file and export a handler setting names, as Lambda's Node.js runtime resolves them. */
export const resolveHandler = (
  taskRoot: string,
  handler: string,
): { readonly file: string; readonly exportName: string } => {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`bad handler "${handler}": expected <module>.<export>`);
  const modulePath = resolve(taskRoot, handler.slice(0, dot));
  const file = EXTENSIONS.map((extension) => `${modulePath}${extension}`).find(existsSync);
  if (!file) throw new Error(`no ${handler.slice(0, dot)}{${EXTENSIONS.join(',')}} in the zip`);
  return { file, exportName: handler.slice(dot + 1) };
};

const unzipTo = async (zip: Buffer, taskRoot: string): Promise<void> => {
  for (const entry of readZip(zip)) {
    const target = resolve(taskRoot, entry.name);
    if (!target.startsWith(taskRoot + sep)) throw new Error(`zip entry outside: ${entry.name}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, entry.data);
  }
};

/**
 * One execution environment of the function, as Lambda makes it: the zip extracted into a task
 * root, the handler resolved from its setting and loaded once in a fresh Node.js process whose
 * environment is the function's, Lambda's own variables, and `overrides` (endpoints and the like).
 */
export const startLambdaEnvironment = async (
  code: FunctionCode,
  overrides: Readonly<Record<string, string>> = {},
): Promise<LambdaEnvironment> => {
  const taskRoot = await mkdtemp(join(tmpdir(), `lambda-${code.functionName}-`));
  await unzipTo(code.zip, taskRoot);
  const { file, exportName } = resolveHandler(taskRoot, code.handler);
  const timeoutMs = code.timeoutSeconds * 1_000;
  const child = fork(WORKER, [file, exportName, code.functionName, String(timeoutMs)], {
    execPath: process.execPath,
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: code.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${code.runtime}`,
      AWS_REGION: code.region,
      AWS_DEFAULT_REGION: code.region,
      AWS_LAMBDA_FUNCTION_NAME: code.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(code.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      TZ: 'UTC',
      ...code.environment,
      ...overrides,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let logs = '';
  const keep = (chunk: Buffer) => {
    logs = (logs + chunk.toString()).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let nextId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let ready: { resolve(): void; reject(error: Error): void } | undefined;
  const started = new Promise<void>((resolveReady, rejectReady) => {
    ready = { resolve: resolveReady, reject: rejectReady };
  });
  const failure = (reason: string) =>
    new Error(`${code.functionName}: ${reason}\n--- its output ---\n${logs}`);
  child.on('message', (message: RuntimeMessage) => {
    if (message.type === 'ready') ready?.resolve();
    else if (message.type === 'init-error')
      ready?.reject(failure(`init failed: ${message.message}`));
    else {
      const call = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.type === 'result') call?.resolve(message.result);
      else call?.reject(failure(`the handler threw: ${message.message}`));
    }
  });
  child.on('exit', (exitCode, signal) => {
    const reason = failure(`exited (${signal ?? exitCode})`);
    ready?.reject(reason);
    for (const call of waiting.values()) call.reject(reason);
    waiting.clear();
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      if (child.connected) child.send({ type: 'stop' } satisfies RuntimeCommand);
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(taskRoot, { recursive: true, force: true });
  };
  try {
    await started;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    invoke: <Result>(event: unknown) =>
      new Promise<Result>((resolveCall, rejectCall) => {
        nextId += 1;
        waiting.set(nextId, {
          resolve: (value) => resolveCall(value as Result),
          reject: rejectCall,
        });
        child.send({ type: 'invoke', id: nextId, event } satisfies RuntimeCommand);
      }),
    logs: () => logs,
    stop,
  };
};
