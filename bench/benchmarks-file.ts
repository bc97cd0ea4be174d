import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const BEGIN = '<!-- bench:begin (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

const TEMPLATE = (block: string) => `# Benchmarks

${BEGIN}
${block}
${END}

## How to reproduce

\`npm run bench\` (Java 17+ for DynamoDB Local). It packages the functions with \`serverless
package\`, bundles the floor and the peer with the same esbuild settings, starts DynamoDB Local and
the SigningHub simulator on loopback, measures, prints the table and rewrites the block above.
`;

/** Rewrites the generated block of BENCHMARKS.md and keeps whatever people wrote around it. */
export const writeBenchmarksFile = (file: URL, block: string): void => {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? `${current.slice(0, begin + BEGIN.length)}\n${block}\n${current.slice(end)}`
      : TEMPLATE(block);
  writeFileSync(file, next);
};
