import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isMissingCommand, MissingToolError } from '../../harness/moto-server.ts';

export interface LintFinding {
  readonly file: string;
  /** Like E3031 or W8003. */
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  /** Where in the template, like Resources/UpstreamSigningEventsRule/Properties/EventBusName. */
  readonly path: string;
}

interface CfnLintMatch {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/** The project's cfn-lint settings: W3005 is ignored there, with the reason written beside it. */
const CONFIG = fileURLToPath(new URL('../../.cfnlintrc.yaml', import.meta.url));

/**
 * Runs AWS's CloudFormation linter (cfn-lint, a Python tool) over the templates, with the project's
 * settings, and answers every finding: exit codes 2, 4, 6 and 8 only say which levels were found.
 */
export const cfnLint = (files: readonly string[]): Promise<LintFinding[]> =>
  new Promise((resolve, reject) => {
    execFile(
      'cfn-lint',
      ['--config-file', CONFIG, '--format', 'json', '--', ...files],
      { timeout: 120_000, maxBuffer: 20 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : 0;
        if (isMissingCommand(error, code)) return reject(new MissingToolError('cfn-lint'));
        if (error && ![2, 4, 6, 8].includes(code)) {
          return reject(new Error(`cfn-lint failed (${code}): ${stderr || error.message}`));
        }
        try {
          const matches = JSON.parse(stdout || '[]') as CfnLintMatch[];
          resolve(
            matches.map((match) => ({
              file: match.Filename,
              rule: match.Rule.Id,
              level: match.Level,
              message: match.Message,
              path: match.Location.Path.join('/'),
            })),
          );
        } catch (parseError) {
          reject(
            new Error(`cfn-lint printed no JSON: ${stdout}\n${stderr}`, { cause: parseError }),
          );
        }
      },
    );
  });
