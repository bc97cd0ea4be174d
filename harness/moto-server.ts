import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, waitUntilAnswering } from './child-service.ts';
import { freePort } from './free-port.ts';

/** A command the deploy proof runs (cfn-lint, moto_server) is not installed. */
export class MissingToolError extends Error {
  override name = 'MissingToolError';
  readonly tool: string;

  constructor(tool: string) {
    super(`${tool} was not found`);
    this.tool = tool;
  }
}

/**
 * How a missing command shows: the spawn fails with ENOENT, or a version manager's shim (pyenv)
 * answers "command not found" with exit code 127.
 */
export const isMissingCommand = (error: unknown, exitCode?: number | null): boolean =>
  exitCode === 127 ||
  (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT');

export interface MotoServer {
  /** http://127.0.0.1:PORT: give it to every SDK client as its `endpoint`. */
  readonly endpoint: string;
  /** What moto printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/** moto's own deviations from AWS that the deploy proof corrects (see sitecustomize.py there). */
const PATCHES = fileURLToPath(new URL('./moto/', import.meta.url));

/**
 * moto's server (`pip install "moto[server]"`) on 127.0.0.1, on a free port: every AWS service in
 * one process, in memory, until stopped.
 */
export const startMotoServer = async (
  options: { readonly port?: number; readonly startTimeoutMs?: number } = {},
): Promise<MotoServer> => {
  const port = options.port ?? (await freePort());
  const pythonPath = [PATCHES, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(isMissingCommand(error) ? new MissingToolError('moto_server') : error),
    );
    child.once('exit', (code) =>
      reject(
        isMissingCommand(undefined, code)
          ? new MissingToolError('moto_server')
          : new Error(`moto_server exited with code ${code} before it was ready:\n${output}`),
      ),
    );
  });
  exited.catch(() => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopChild(child, 5_000);
  try {
    await Promise.race([waitUntilReady(endpoint, options.startTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  if (/not patched/.test(output)) {
    await stop();
    throw new Error(`moto could not be patched to behave as AWS does:\n${output}`);
  }
  return { endpoint, output: () => output, stop };
};

const waitUntilReady = (endpoint: string, timeoutMs: number): Promise<void> =>
  waitUntilAnswering(
    // moto's own API answers once every service is loaded.
    async () => (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) })).ok,
    timeoutMs,
    `moto_server did not answer on ${endpoint}`,
  );
