import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { REPO_DIR } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { STAGE } from './local-settings.ts';
import { waitForPort } from './ports.ts';

export interface ServerlessOfflineOptions {
  /** The folder to run from (see service-folder.ts). */
  readonly serviceDir: string;
  /** The child's whole environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** Every line the child prints, masked, goes here. */
  readonly logFile: string;
  readonly mask: (line: string) => string;
  /** Called with each masked line once the functions are up. */
  readonly onLine: (line: string) => void;
  readonly startTimeoutMs?: number;
  /** Aborts the start: the child is stopped and the start rejects. */
  readonly signal?: AbortSignal;
}

export interface ServerlessOffline {
  readonly pid: number;
  /** Settles when the child exits, with its code (or the signal's name). */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

const SERVERLESS = join(REPO_DIR, 'node_modules', 'osls', 'bin', 'serverless.js');

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return;
  try {
    // The child leads its own process group, which also holds esbuild's service process.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
};

/**
 * serverless-offline at the local stage (serverless-esbuild bundles the handlers first), in its own
 * process group so that stopping it stops everything it started.
 */
export const startServerlessOffline = async (
  options: ServerlessOfflineOptions,
): Promise<ServerlessOffline> => {
  const log = createWriteStream(options.logFile, { flags: 'w', mode: 0o600 });
  const child = spawn(
    process.execPath,
    [SERVERLESS, 'offline', 'start', '--stage', STAGE, '--noSponsor'],
    {
      cwd: options.serviceDir,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pid = child.pid;
  let ready = false;
  let stopping = false;
  const recent: string[] = [];
  let announced: () => void = () => undefined;
  // Its own words, not just an open port: the port could belong to someone else.
  const serverReady = new Promise<void>((resolve) => {
    announced = resolve;
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (raw) => {
      const line = options.mask(raw);
      log.write(`${line}\n`);
      if (stopping) return;
      if (line.includes('Server ready:')) announced();
      if (ready) options.onLine(line);
      else if (line.trim() !== '') {
        recent.push(line);
        if (recent.length > 40) recent.shift();
      }
    });
  }

  const stop = async (): Promise<void> => {
    stopping = true;
    const done = await Promise.race([exited.then(() => true), delay(0).then(() => false)]);
    if (!done) {
      signalGroup(child, 'SIGINT');
      const halted = await Promise.race([exited.then(() => true), delay(10_000).then(() => false)]);
      if (!halted) signalGroup(child, 'SIGKILL');
      await exited;
    }
    // Whatever the group still holds (esbuild's service) goes with it.
    signalGroup(child, 'SIGKILL');
    await new Promise<void>((resolve) => log.end(resolve));
  };

  if (pid === undefined) {
    const reason = await exited;
    await stop();
    throw new UserError(
      `serverless-offline could not be started (${reason}); run npm ci and retry`,
    );
  }

  const controller = new AbortController();
  const timeoutMs = options.startTimeoutMs ?? 180_000;
  const up = (async () => {
    const announcedInTime = await Promise.race([
      serverReady.then(() => true),
      delay(timeoutMs, false, { signal: controller.signal }).catch(() => false),
    ]);
    if (!announcedInTime) return false;
    const http = await waitForPort(options.httpPort, 5_000, controller.signal);
    return http && (await waitForPort(options.lambdaPort, 5_000, controller.signal));
  })();
  const interrupted = new Promise<string>((resolve) => {
    if (options.signal?.aborted) resolve('interrupted');
    options.signal?.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  const outcome = await Promise.race([up, exited.then((code) => `exited (${code})`), interrupted]);
  controller.abort();
  if (outcome === 'interrupted') {
    await stop();
    throw new Error('the start was interrupted');
  }
  if (outcome !== true) {
    await stop();
    const output = recent.join('\n');
    const portTaken = /EADDRINUSE.*?:(\d+)/.exec(output);
    if (portTaken) {
      throw new UserError(
        `port ${portTaken[1]} is already in use, so serverless-offline could not start: free it ` +
          'or choose other ports (LOCAL_HTTP_PORT, LOCAL_LAMBDA_PORT) and run npm start again',
      );
    }
    const last = recent.findLast((line) => /error/i.test(line)) ?? recent.at(-1) ?? 'no output';
    throw new UserError(
      `serverless-offline did not start (${outcome === false ? `not ready after ${timeoutMs / 1000} s` : outcome}): ` +
        `${last.trim()}; the whole output is in ${options.logFile}`,
    );
  }
  ready = true;
  return { pid, exited, stop };
};
