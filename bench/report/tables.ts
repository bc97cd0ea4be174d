/** One row of the table; absent cells are shown as a dash. */
export interface Row {
  readonly measure: string;
  readonly ours: string;
  readonly floor?: string;
  readonly peer?: string;
  readonly oursToFloor?: string;
  readonly oursToPeer?: string;
  readonly target?: string;
  readonly result?: string;
}

const HEADER: readonly string[] = [
  'measure',
  'ours',
  'floor',
  'peer (Powertools)',
  'ours ÷ floor',
  'ours ÷ peer',
  'target',
  'result',
];

const cells = (row: Row): string[] =>
  [
    row.measure,
    row.ours,
    row.floor,
    row.peer,
    row.oursToFloor,
    row.oursToPeer,
    row.target,
    row.result,
  ].map((cell) => (cell === undefined || cell === '' ? '–' : cell));

export const markdownTable = (rows: readonly Row[]): string =>
  [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (row) =>
        `| ${cells(row)
          .map((cell) => cell.replaceAll('|', '\\|'))
          .join(' | ')} |`,
    ),
  ].join('\n');

/** The same table for a terminal: columns padded, Markdown emphasis dropped. */
export const plainTable = (rows: readonly Row[]): string => {
  const lines = [
    [...HEADER],
    ...rows.map((row) => cells(row).map((cell) => cell.replaceAll('**', '').replaceAll('`', ''))),
  ];
  const widths = HEADER.map((_, column) =>
    Math.max(...lines.map((line) => (line[column] ?? '').length)),
  );
  return lines
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
