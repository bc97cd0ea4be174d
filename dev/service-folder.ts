import { copyFile, lstat, mkdir, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_DIR } from '../ops/stack-state.ts';

/** What serverless.yml and the handlers need; esbuild follows the links back to the project. */
const LINKED = ['functions', 'lib', 'infra', 'node_modules'];
const COPIED = ['serverless.yml', 'package.json'];

/**
 * A folder that stands for the project, for serverless-offline to run from, so that:
 * - serverless-esbuild bundles into this folder's `.esbuild`: every `serverless package` in the
 *   project deletes the project's `.esbuild` when done, which would pull the handlers from under a
 *   running stack (or from under another stack);
 * - serverless-esbuild's watcher (on in offline mode) sees only the handlers' code: a change it
 *   sees rebundles and restarts every function, cutting off invocations in flight, which edits to
 *   tests or tools must not do.
 */
export const prepareServiceFolder = async (dir: string): Promise<string> => {
  const service = join(dir, 'service');
  await mkdir(service, { recursive: true });
  for (const entry of await readdir(service)) {
    const path = join(service, entry);
    // Links are removed as links: nothing they point at is touched.
    if ((await lstat(path)).isSymbolicLink()) await unlink(path);
    else await rm(path, { recursive: true, force: true });
  }
  for (const name of LINKED) await symlink(join(REPO_DIR, name), join(service, name), 'junction');
  for (const name of COPIED) await copyFile(join(REPO_DIR, name), join(service, name));
  return service;
};
