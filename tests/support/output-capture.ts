/** Records everything written to stdout and stderr (where Powertools Logger writes) until stopped. */
export interface OutputCapture {
  text(): string;
  lines(): Record<string, unknown>[];
  stop(): void;
}

export const captureOutput = (): OutputCapture => {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap =
    (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    };
  process.stdout.write = tap(originals.out, process.stdout) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err, process.stderr) as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
};
