import { textTable } from '../../ops/text-table.ts';

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
  textTable(HEADER, rows.map(cells), 'markdown');

/** The same table for a terminal: columns padded, Markdown emphasis dropped. */
export const plainTable = (rows: readonly Row[]): string =>
  textTable(
    HEADER,
    rows.map((row) => cells(row).map((cell) => cell.replaceAll('**', '').replaceAll('`', ''))),
  );
