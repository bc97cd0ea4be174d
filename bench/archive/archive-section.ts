import { textTable } from '../../ops/text-table.ts';
import { type ArchiveRun, archiveTable, summarizeArchive } from './archive-summary.ts';

/** How the runs were made, for the line above the table. */
export interface ArchiveConditions {
  /** "256 MB (arm64)": the function's memory as serverless.yml deploys it. */
  readonly memory: string;
  /** Where the bundle came from: `serverless package`'s zip, or esbuild for --archive-only. */
  readonly bundleSource: string;
  /** Which CPUs the handler and the services were on. */
  readonly placement: string;
  readonly node: string;
  /** The 1-minute load average before the runs and after them. */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

export interface ArchiveSection {
  /** The line and the table, for BENCHMARKS.md. */
  readonly markdown: string;
  /** The same for a terminal. */
  readonly plain: string;
  /** Whether any run failed: its size then has no figures. */
  readonly failed: boolean;
}

const plainCell = (cell: string): string => cell.replaceAll('**', '').replaceAll('`', '');

/** The archive's runs as a table of their own, under a line saying how they were made. */
export const archiveSection = (
  runs: readonly ArchiveRun[],
  conditions: ArchiveConditions,
): ArchiveSection => {
  const summaries = summarizeArchive(runs);
  const { header, rows } = archiveTable(summaries, conditions.memory);
  const failed = summaries.some(({ figures }) => figures === undefined);
  const line =
    `The archive, throughput and memory: the \`archive\` function's bundle ${conditions.bundleSource}, ` +
    `one package of one document per run (sizes in MiB, 2^20 bytes), each run in a fresh ` +
    `Node ${conditions.node} process, against the simulator, a counting S3 stand-in and DynamoDB ` +
    "Local on loopback; MiB/s is the document's size over the time from the invocation to the " +
    `answer. The function's memory as deployed: ${conditions.memory}. ${conditions.placement} ` +
    `1-minute load average ${conditions.loadBefore.toFixed(2)} before the runs, ` +
    `${conditions.loadAfter.toFixed(2)} after.` +
    (failed ? ' **An archive failed: its size has no figures.**' : '');
  return {
    markdown: `${line}\n\n${textTable(header, rows, 'markdown')}`,
    plain: `${plainCell(line)}\n\n${textTable(
      header,
      rows.map((row) => row.map(plainCell)),
    )}`,
    failed,
  };
};
