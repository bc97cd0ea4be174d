import type { Reporter, TestCase } from 'vitest/node';

/** A skip note of the form "<what> not found: <remedy>" (tests/support/deploy-tools.ts). */
const MISSING = /^(.+) not found: (.+)$/;

/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", that CI can read whatever
 * the runner's own formatting; before it, one line per remedy for tests skipped for a missing
 * tool ("skipped: cfn-lint, moto_server not found: pip install ...").
 */
export default class SummaryReporter implements Reporter {
  readonly #counts = { passed: 0, failed: 0, skipped: 0 };
  readonly #missing = new Map<string, Set<string>>();

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    if (result.state === 'passed') this.#counts.passed += 1;
    else if (result.state === 'failed') this.#counts.failed += 1;
    else {
      this.#counts.skipped += 1;
      const [, what, remedy] = (result.state === 'skipped' && result.note?.match(MISSING)) || [];
      if (what && remedy)
        this.#missing.set(remedy, (this.#missing.get(remedy) ?? new Set()).add(what));
    }
  }

  onTestRunEnd(): void {
    const { passed, failed, skipped } = this.#counts;
    const notes = [...this.#missing].map(
      ([remedy, what]) => `\nskipped: ${[...what].sort().join(', ')} not found: ${remedy}`,
    );
    process.stdout.write(
      `${notes.join('')}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`,
    );
  }
}
