import { isDeepStrictEqual } from 'node:util';

/** Document sizes are in MiB: 2^20 bytes. */
export const MIB = 1024 * 1024;

/** One run: a fresh process archiving one package of one document of `documentMib` MiB. */
export type ArchiveRun =
  | {
      readonly documentMib: number;
      readonly ok: true;
      /** From the invocation sent to the handler's answer. */
      readonly seconds: number;
      /** The process's peak resident set size once the work was done. */
      readonly peakRssBytes: number;
      /** Its peak RSS once the bundle had loaded, before the invocation. */
      readonly loadedRssBytes: number;
    }
  | { readonly documentMib: number; readonly ok: false; readonly failure: string };

/** A figure over the runs: the median (of an even count, the mean of the middle two) and range. */
export interface Spread {
  readonly median: number;
  readonly lo: number;
  readonly hi: number;
}

export const spreadOf = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = Number.isInteger(middle)
    ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
    : (sorted[Math.floor(middle)] ?? Number.NaN);
  return { median, lo: sorted[0] ?? Number.NaN, hi: sorted.at(-1) ?? Number.NaN };
};

export interface ArchiveFigures {
  readonly seconds: Spread;
  /** Document MiB ÷ seconds, run by run. */
  readonly mibPerSecond: Spread;
  readonly peakRssMib: Spread;
  readonly loadedRssMib: Spread;
}

/** One document size over its runs; no figures when any run failed. */
export interface ArchiveSizeSummary {
  readonly documentMib: number;
  readonly runs: number;
  /** `run 2: <why>`, one for each run that did not archive the document as it should. */
  readonly failures: readonly string[];
  readonly figures: ArchiveFigures | undefined;
}

/** The runs by document size, in the order the sizes were first run. */
export const summarizeArchive = (runs: readonly ArchiveRun[]): ArchiveSizeSummary[] => {
  const sizes = [...new Set(runs.map(({ documentMib }) => documentMib))];
  return sizes.map((documentMib) => {
    const ofSize = runs.filter((run) => run.documentMib === documentMib);
    const failures = ofSize.flatMap((run, index) =>
      run.ok ? [] : [`run ${index + 1}: ${run.failure}`],
    );
    const done = ofSize.flatMap((run) => (run.ok ? [run] : []));
    const figures =
      failures.length > 0 || done.length === 0
        ? undefined
        : {
            seconds: spreadOf(done.map(({ seconds }) => seconds)),
            mibPerSecond: spreadOf(done.map(({ seconds }) => documentMib / seconds)),
            peakRssMib: spreadOf(done.map(({ peakRssBytes }) => peakRssBytes / MIB)),
            loadedRssMib: spreadOf(done.map(({ loadedRssBytes }) => loadedRssBytes / MIB)),
          };
    return { documentMib, runs: ofSize.length, failures, figures };
  });
};

/** What the run must have left: the handler's answer, the stored object, the package's status. */
export interface ArchiveOutcome {
  readonly answer: unknown;
  readonly stored: { readonly bytes: number; readonly sha256: string } | undefined;
  readonly archiveStatus: string | undefined;
}

/**
 * Why a run did not archive the document as it should, or undefined when it did: the answer
 * `{ batchItemFailures: [] }`, the object's size and SHA-256 the document's, the package ARCHIVED.
 */
export const archiveFailure = (
  outcome: ArchiveOutcome,
  expected: { readonly bytes: number; readonly sha256: string },
): string | undefined => {
  const { answer, stored, archiveStatus } = outcome;
  if (!isDeepStrictEqual(answer, { batchItemFailures: [] })) {
    return `the handler answered ${JSON.stringify(answer)?.slice(0, 200)}`;
  }
  if (stored === undefined) return 'no object was stored';
  if (stored.bytes !== expected.bytes) {
    return `the object holds ${stored.bytes} bytes, not the document's ${expected.bytes}`;
  }
  if (stored.sha256 !== expected.sha256) return "the object's SHA-256 is not the document's";
  if (archiveStatus !== 'ARCHIVED') {
    return `the package's archive status is ${archiveStatus ?? 'absent'}, not ARCHIVED`;
  }
  return undefined;
};

const seconds = (value: number): string => value.toFixed(value < 10 ? 2 : 1);
const oneDecimal = (value: number): string => value.toFixed(1);
const whole = (value: number): string => value.toFixed(0);

/** `1.23 s (1.20–1.31)`; a single run has no range. */
const spreadCell = (
  spread: Spread,
  runs: number,
  shown: (value: number) => string,
  unit: string,
): string =>
  `${shown(spread.median)}${unit}${runs > 1 ? ` (${shown(spread.lo)}–${shown(spread.hi)})` : ''}`;

const FAILED = '**failed**';

/** The archive's table: a row per document size, no figure for a size any run of which failed. */
export const archiveTable = (
  summaries: readonly ArchiveSizeSummary[],
  memory: string,
): { header: string[]; rows: string[][] } => ({
  header: [
    'document',
    'runs, a fresh process each',
    'invoke to answer, median (range)',
    'MiB/s, median (range)',
    `peak RSS, median (range); the function's memory: ${memory}`,
    'peak RSS once loaded, median (range)',
    'checked',
  ],
  rows: summaries.map(({ documentMib, runs, failures, figures }) => [
    `${documentMib} MiB`,
    String(runs),
    ...(figures
      ? [
          spreadCell(figures.seconds, runs, seconds, ' s'),
          spreadCell(figures.mibPerSecond, runs, oneDecimal, ''),
          spreadCell(figures.peakRssMib, runs, whole, ' MiB'),
          spreadCell(figures.loadedRssMib, runs, whole, ' MiB'),
          'every run: `batchItemFailures: []`, the object’s size and SHA-256 the document’s, ARCHIVED',
        ]
      : [FAILED, FAILED, FAILED, FAILED, `${FAILED}: ${failures.join('; ') || 'no run'}`]),
  ]),
});
