import { tapOutput } from './output-tap.ts';

/** Records everything written to stdout and stderr (where Powertools Logger writes) until stopped. */
export interface OutputCapture {
  text(): string;
  lines(): Record<string, unknown>[];
  stop(): void;
}

export const captureOutput = (): OutputCapture => {
  const chunks: string[] = [];
  const tap = tapOutput((_, text) => {
    chunks.push(text);
  });
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => tap.restore(),
  };
};
