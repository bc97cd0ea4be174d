// @ts-check
/**
 * Mutation testing (`npm run mutate`) of lib/, functions/ and ops/ with the unit and integration
 * tests.
 * The tests come from vitest.mutate.config.ts: the main Vitest config (DynamoDB Local as global
 * setup, test env) without the soak, e2e and infra tests.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.mutate.config.ts',
    // Not only the test files that import the mutated file: the handlers are loaded by a computed
    // dynamic import (harness/handler-modules.ts) that the module graph cannot follow, so their
    // tests would never run for a mutant in functions/. perTest coverage still picks the tests.
    related: false,
  },
  checkers: ['typescript'],
  // // @ts-nocheck atop the mutated code only (the default heads every file, and a test compares
  // the generated event catalogue types with the generator's output, byte for byte).
  disableTypeChecks: '{lib,functions,ops}/**/!(event-catalogue).ts',
  tsconfigFile: 'tsconfig.json',
  mutate: [
    'lib/**/*.ts',
    'functions/**/*.ts',
    'ops/**/*.ts',
    // Entry files only: each hands process.argv, the environment and the process's streams to a
    // command module (ops/*-command.ts), which the tests run in-process; npm runs them in
    // tests/ops/local-operator-commands.test.ts and tests/infra, outside what Stryker can see.
    '!ops/cli/**',
    // Makes the AWS SDK clients and lib's adapters for a deployed stack: only a stage deployed
    // into moto exercises it (tests/infra/operator-commands-*.test.ts, outside the mutation run).
    '!ops/stage-target.ts',
    // Generated from docs/events/ (npm run events:types), types only; a test compares it with what
    // the generator makes, which Stryker's instrumented copy (headed // @ts-nocheck) never equals.
    '!lib/events/event-catalogue.ts',
  ],
  // Not needed in the sandbox (.stryker-tmp/sandbox-*): build output, local state, old reports.
  ignorePatterns: ['.serverless', '.esbuild', '.local', 'coverage', 'reports'],
  coverageAnalysis: 'perTest',
  // Reuses the results of unchanged code and tests from the last run (reports/, git-ignored).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Measuring first: no failing threshold yet.
  thresholds: { high: 80, low: 60, break: null },
  // Two cores, but the TypeScript checker is the bottleneck (test runners mostly wait on it):
  // 3 means 2 checker processes and 1 test runner, then 3 test runners once all mutants are checked.
  concurrency: 3,
  // Generous for a shared, loaded machine; the integration tests wait on real sockets.
  timeoutMS: 15_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
};
