import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { LocalStackState, StackTenant } from '../../dev/local-tenants.ts';
import { freePort } from '../../harness/free-port.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import { DEFAULT_DOCUMENT_BYTES } from '../../harness/simulator/packages.ts';
import type { CommandResult } from '../dev/npm-run.ts';

// The npm start under test: its settings, its state, and its processes as a user's shell and
// /proc see them.

/** The variables of the stack's ports, in the order freePorts' ports are given to them. */
export const STACK_PORTS = [
  'LOCAL_HTTP_PORT',
  'LOCAL_LAMBDA_PORT',
  'LOCAL_DYNAMODB_PORT',
  'LOCAL_SIMULATOR_PORT',
  'LOCAL_EVENTBRIDGE_PORT',
  'LOCAL_SECRETS_PORT',
  'LOCAL_S3_PORT',
] as const;

/** `count` loopback ports, each free a moment ago and each another. */
export const freePorts = async (count: number): Promise<number[]> => {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
};

/** npm start's environment for a stack in `dir` on `ports` (STACK_PORTS' order). */
export const stackEnvironment = (dir: string, ports: readonly number[]): NodeJS.ProcessEnv => ({
  // The user's own SigningHub settings (shell or .env) must not turn this run into a real one.
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(SIGNINGHUB_|LOCAL_|CALLBACK_SECRET|POWERTOOLS_)/.test(name),
    ),
  ),
  LOCAL_DIR: dir,
  LOCAL_ENV_FILE: join(dir, 'no.env'),
  ...Object.fromEntries(STACK_PORTS.map((name, index) => [name, String(ports[index])])),
});

/** The secret at the end of a callback URL. */
export const secretOf = (callbackUrl: string): string =>
  new URL(callbackUrl).pathname.split('/').at(-1) ?? '';

/** The second tenant npm start runs. */
export const acmeOf = (stack: LocalStackState): StackTenant => {
  const acme = stack.tenants.find((tenant) => tenant.name === 'acme');
  if (!acme) throw new Error(`npm start runs no tenant acme: ${JSON.stringify(stack.tenants)}`);
  return acme;
};

/** Where npm start's archive keeps a package's document: its S3 stand-in's folder. */
export const archivedPdf = (
  stack: LocalStackState,
  tenant: string,
  packageId: number,
  documentId = 1,
): string => join(stack.archive?.folder ?? '', tenant, String(packageId), `${documentId}.pdf`);

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The SHA-256 of a package's one document in the simulator (as `npm run simulator` makes it). */
export const simulatorDocumentSha256 = (tenant: string, packageId: number): Promise<string> =>
  documentSha256({ tenant, packageId, documentId: 1, bytes: DEFAULT_DOCUMENT_BYTES });

/** A line as a user pastes it into a shell. */
export const shell = (line: string): Promise<CommandResult> =>
  new Promise((resolve) => {
    execFile('sh', ['-c', line], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });

/** Every process below `root`, found through /proc's parent links. */
export const descendants = async (root: number): Promise<number[]> => {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
};

/** Running, rather than gone or a zombie waiting for whoever adopted it to reap it. */
export const running = async (pid: number): Promise<boolean> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
};

/** What `probe` answers once it answers something; a timeout's error shows `context()`. */
export const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  context: () => string,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await delay(250);
  }
};
