import { describe, expect, it } from 'vitest';
import { showFunctionLogs } from '../../dev/in-process-output.ts';

// npm start runs publish and archive in its own process: their Powertools lines are shown as
// serverless-offline's functions' are, and their metrics records not at all.

describe("the in-process functions' output in the npm start terminal", () => {
  it('shows a log line short, leaves out a metrics record, and lets anything else through', () => {
    const shown: string[] = [];
    const passed: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      passed.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    const restore = showFunctionLogs((line) => shown.push(line));
    try {
      // As Powertools' Logger and Metrics write: a JSON line on stdout.
      process.stdout.write(
        `${JSON.stringify({
          level: 'WARN',
          message: 'archive handed back',
          function_name: 'signinghub-finish-local-archive',
          packageId: 1001,
        })}\n`,
      );
      process.stdout.write(
        `${JSON.stringify({ _aws: { CloudWatchMetrics: [] }, DocumentsArchived: 1 })}\n`,
      );
      process.stdout.write('  [publish] SigningPackageCompleted (package 1001, COMPLETED)\n');
    } finally {
      restore();
      process.stdout.write = write;
    }

    expect(shown).toEqual(['  [archive] WARN  archive handed back  packageId=1001']);
    expect(passed).toEqual(['  [publish] SigningPackageCompleted (package 1001, COMPLETED)\n']);
  });
});
