type Write = (...args: unknown[]) => boolean;

export interface OutputTap {
  /** Writes to the real stderr, around the tap. */
  writeError(text: string): void;
  restore(): void;
}

/** Writes to stdout and stderr (Powertools' logs) go to `onText`, then on when `passThrough`. */
export const tapOutput = (
  onText: (stream: 'out' | 'err', text: string) => void,
  passThrough = true,
): OutputTap => {
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap =
    (stream: 'out' | 'err', original: typeof process.stdout.write, target: NodeJS.WriteStream) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      onText(
        stream,
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
      );
      if (passThrough) return (original as Write).call(target, chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = tap('out', originals.out, process.stdout) as typeof process.stdout.write;
  process.stderr.write = tap('err', originals.err, process.stderr) as typeof process.stderr.write;
  return {
    writeError: (text) => {
      (originals.err as Write).call(process.stderr, text);
    },
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
};
