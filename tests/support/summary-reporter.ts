import type { Reporter, TestCase } from 'vitest/node';

/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", that CI can read whatever
 * the runner's own formatting.
 */
export default class SummaryReporter implements Reporter {
  readonly #counts = { passed: 0, failed: 0, skipped: 0 };

  onTestCaseResult(testCase: TestCase): void {
    const { state } = testCase.result();
    if (state === 'passed') this.#counts.passed += 1;
    else if (state === 'failed') this.#counts.failed += 1;
    else this.#counts.skipped += 1;
  }

  onTestRunEnd(): void {
    const { passed, failed, skipped } = this.#counts;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
