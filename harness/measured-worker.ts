import { pathToFileURL } from 'node:url';
import type { HandlerModule } from './handler-modules.ts';
import { lambdaContext } from './lambda-context.ts';
import type { MeasuredCommand, MeasuredMessage } from './measured-handler.ts';

/**
 * A handler in a process of its own, whose memory is its own to measure: started by
 * harness/measured-handler.ts as `node measured-worker.ts <file> <functionName> <timeoutMs>`
 * with the function's environment, it loads the module's `handler` once and runs each invocation,
 * answering with the process's peak resident set size so far (what Lambda's memory limit bounds:
 * a heap limit never bounds Buffers).
 */
const [file, functionName, timeout] = process.argv.slice(2);
if (!file || !functionName || !timeout) {
  throw new Error('usage: measured-worker.ts <file> <functionName> <timeoutMs>');
}

/** The peak RSS in bytes: resourceUsage's maxRSS is in kibibytes. */
const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024;
const send = (message: MeasuredMessage): void => {
  process.send?.(message);
};
const describe = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);

const { handler } = (await import(pathToFileURL(file).href)) as HandlerModule;
const identity = { functionName, region: process.env.AWS_REGION ?? 'eu-west-1' };
process.on('message', (command: MeasuredCommand) => {
  if (command.type === 'stop') process.exit(0);
  handler(command.event, lambdaContext(Number(timeout), identity)).then(
    (result) => send({ type: 'result', result, peakRssBytes: peakRssBytes() }),
    (error: unknown) =>
      send({ type: 'error', message: describe(error), peakRssBytes: peakRssBytes() }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', peakRssBytes: peakRssBytes() });
