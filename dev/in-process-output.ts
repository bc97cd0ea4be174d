import { formatOfflineLine } from './offline-output.ts';

/**
 * The functions npm start runs in its own process (publish, archive) log as they do in Lambda:
 * Powertools' JSON lines and metrics records, on stdout. They are shown as serverless-offline's
 * functions are: one readable line each, the metrics records left out (offline.log has none of
 * theirs), through `show`, which masks secrets. Anything else written passes unchanged. Returns
 * the undoing.
 */
export const showFunctionLogs = (show: (line: string) => void): (() => void) => {
  const write = process.stdout.write;
  const routed = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string' || !chunk.startsWith('{"')) {
      return Reflect.apply(write, process.stdout, [chunk, ...rest]) as boolean;
    }
    for (const line of chunk.split('\n')) {
      const shown = formatOfflineLine(line);
      if (shown !== undefined) show(shown);
    }
    const done = rest.find((argument) => typeof argument === 'function') as
      | (() => void)
      | undefined;
    done?.();
    return true;
  };
  process.stdout.write = routed as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
};
