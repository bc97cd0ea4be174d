import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests Stryker measures the mutation score with (stryker.config.mjs): the unit and
 * integration tests, without the soak (long and random), the e2e test (spawns `npm start`) and
 * the infra tests (`serverless package`, cfn-lint and the deploy into moto).
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, 'tests/soak/**', 'tests/e2e/**', 'tests/infra/**'],
    },
  }),
);
