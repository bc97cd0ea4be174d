import { pathToFileURL } from 'node:url';
import type { HandlerModule } from './handler-modules.ts';
import { lambdaContext } from './lambda-context.ts';
import type { RuntimeCommand, RuntimeMessage } from './lambda-runtime.ts';

/**
 * One execution environment of a deployed function, started by harness/lambda-runtime.ts as
 * `node harness/lambda-runtime-worker.ts <file> <export> <functionName> <timeoutMs>` with the
 * function's environment: it loads the handler once (Lambda's init) and runs each invocation.
 */
const [file, exportName, functionName, timeout] = process.argv.slice(2);
const send = (message: RuntimeMessage): void => {
  process.send?.(message);
};
const describe = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);

if (!file || !exportName || !functionName || !timeout) {
  throw new Error('usage: lambda-runtime-worker.ts <file> <export> <functionName> <timeoutMs>');
}

let handler: HandlerModule['handler'] | undefined;
try {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const exported = module[exportName];
  if (typeof exported !== 'function') throw new Error(`${file} exports no function ${exportName}`);
  handler = exported as HandlerModule['handler'];
} catch (error) {
  // Lambda reports a failed init and never invokes this environment.
  process.send?.({ type: 'init-error', message: describe(error) } satisfies RuntimeMessage, () =>
    process.disconnect(),
  );
}

if (handler) {
  const run = handler;
  const identity = { functionName, region: process.env.AWS_REGION ?? 'eu-west-1' };
  process.on('message', (command: RuntimeCommand) => {
    if (command.type === 'stop') process.exit(0);
    run(command.event, lambdaContext(Number(timeout), identity)).then(
      (result) => send({ type: 'result', id: command.id, result }),
      (error: unknown) => send({ type: 'error', id: command.id, message: describe(error) }),
    );
  });
  // The test is gone: nothing will invoke this environment again.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}
