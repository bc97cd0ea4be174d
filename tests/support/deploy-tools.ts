import { afterAll, beforeAll, beforeEach } from 'vitest';
import { MissingToolError } from '../../harness/moto-server.ts';

/** What a user installs for the deploy proof; CI has it (.ci/run). */
export const INSTALL_HINT = 'pip install cfn-lint "moto[server]"';

/** Set by CI (.ci/run): a missing cfn-lint or moto_server fails the deploy proof, never skips it. */
const required = (): boolean => process.env.REQUIRE_DEPLOY_PROOF === '1';

/** A skip note the summary reporter folds into one line per remedy (summary-reporter.ts). */
export const missingToolNote = (tool: string): string => `${tool} not found: ${INSTALL_HINT}`;

export type Defer = (cleanup: () => Promise<void>) => void;

/**
 * Registers the file's hooks around what needs cfn-lint or moto_server: `setup` runs once before
 * the tests, and what it defers runs after them, last first. Where a tool is missing every test
 * of the file is skipped, with the tool and the way to install it as the skip's note; with
 * REQUIRE_DEPLOY_PROOF=1 the missing tool fails them instead. Answers the set-up value.
 */
export const withDeployTools = <Value>(
  setup: (defer: Defer) => Promise<Value>,
  timeoutMs: number,
): (() => Value) => {
  const cleanups: (() => Promise<void>)[] = [];
  let value: { readonly current: Value } | undefined;
  let missing: string | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      value = { current: await setup((cleanup) => cleanups.unshift(cleanup)) };
    } catch (error) {
      if (error instanceof MissingToolError && !required()) missing = error.tool;
      else if (error instanceof MissingToolError) {
        failure = new Error(`${missingToolNote(error.tool)} (REQUIRE_DEPLOY_PROOF=1)`);
      } else failure = error;
    }
  }, timeoutMs);
  beforeEach((context) => {
    // Skipped, not failed: the deploy proof needs tools outside npm (see INSTALL_HINT).
    if (missing !== undefined) context.skip(missingToolNote(missing));
    // Each test fails with the set-up's error, so the run's counts show it.
    if (failure !== undefined) throw failure;
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  }, 30_000);
  return () => {
    if (!value) throw new Error('the deploy proof was not set up');
    return value.current;
  };
};
