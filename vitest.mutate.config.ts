import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests Stryker measures the mutation score with (stryker.config.mjs): the unit and
 * integration tests, without the soak (long and random), the e2e test (spawns `npm start`) and
 * the infra tests (`serverless package`, cfn-lint and the deploy into moto), and the archive's
 * memory test: it measures the peak RSS of the function's bundle in a child process, which under
 * Stryker bundles the instrumented code (431 MiB once loaded) and never runs a mutant (the active
 * mutant is chosen inside the test runner's process), so it could only fail, never kill.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        ...configDefaults.exclude,
        'tests/soak/**',
        'tests/e2e/**',
        'tests/infra/**',
        'tests/functions/archive-memory.test.ts',
      ],
    },
  }),
);
