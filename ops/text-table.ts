/** Columns for a terminal, compact Markdown for a file, or Markdown aligned to read as text too. */
export type TableStyle = 'columns' | 'markdown' | 'aligned-markdown';

/** Rows under a header, each column as wide as its widest cell where the style pads. */
export const textTable = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  style: TableStyle = 'columns',
): string => {
  const escaped = (cells: readonly string[]) =>
    style === 'columns' ? cells : cells.map((cell) => cell.replaceAll('|', '\\|'));
  const lines = [header, ...rows].map(escaped);
  if (style === 'markdown') {
    return [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...lines.slice(1).map((cells) => `| ${cells.join(' | ')} |`),
    ].join('\n');
  }
  const widths = header.map((_, column) =>
    Math.max(...lines.map((cells) => (cells[column] ?? '').length)),
  );
  const padded = (cells: readonly string[]) =>
    widths.map((width, column) => (cells[column] ?? '').padEnd(width));
  if (style === 'columns')
    return lines.map((cells) => padded(cells).join('  ').trimEnd()).join('\n');
  const [head = [], ...body] = lines;
  return [
    `| ${padded(head).join(' | ')} |`,
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...body.map((cells) => `| ${padded(cells).join(' | ')} |`),
  ].join('\n');
};
