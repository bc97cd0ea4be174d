import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run <script> -- <args>` as a user types it, in the repository, with this environment. */
export const npmRunner =
  (env: () => NodeJS.ProcessEnv) =>
  (script: string, ...args: string[]): Promise<CommandResult> =>
    new Promise((resolve) => {
      execFile(
        'npm',
        ['run', '--silent', script, '--', ...args],
        { cwd: REPO, env: env(), timeout: 90_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
