import { spawnSync } from 'node:child_process';
import { UserError } from '../ops/user-error.ts';

const INSTALL =
  'install Java 17 or newer (e.g. sudo apt-get install openjdk-17-jre-headless, or ' +
  'brew install openjdk@17) and run npm start again';

/** DynamoDB Local runs on Java 17+; say so before anything starts. */
export const requireJava = (): void => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `Java was not found on the PATH, and DynamoDB Local needs it: ${INSTALL}`
        : `Java could not be run (${code ?? result.error.message}): ${INSTALL}`,
    );
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = version?.[1] === '1' ? Number(version[2]) : Number(version?.[1]);
  if (Number.isFinite(major) && major < 17) {
    throw new UserError(`Java ${major} is too old for DynamoDB Local: ${INSTALL}`);
  }
};
