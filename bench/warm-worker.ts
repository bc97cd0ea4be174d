import type { HandlerModule } from '../harness/handler-modules.ts';
import { lambdaContext } from '../harness/lambda-context.ts';
import { callbackRequest, signingEventBatches } from './events.ts';
import {
  type RoundReport,
  WORKLOADS,
  type WorkerCommand,
  type WorkerMessage,
  type Workload,
} from './worker-protocol.ts';

/**
 * One warm function instance in its own process, so its CPU time is its own: the simulator and
 * the DynamoDB counter run in the bench's process. Started as `node bench/warm-worker.ts <workload>`.
 */
type Handler = HandlerModule['handler'];

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

const isWorkload = (name: string | undefined): name is Workload =>
  name !== undefined && Object.hasOwn(WORKLOADS, name);

const failuresIn = (workload: Workload, answer: unknown): number => {
  if (typeof answer !== 'object' || answer === null) return 1;
  if (workload === 'callback') {
    return (answer as { statusCode?: unknown }).statusCode === 200 ? 0 : 1;
  }
  const failures = (answer as { batchItemFailures?: unknown }).batchItemFailures;
  return Array.isArray(failures) ? failures.length : 1;
};

const invocationsFor = (workload: Workload, command: WorkerCommand & { type: 'round' }) => {
  if (workload !== 'callback') {
    return signingEventBatches(command.firstPackageId, command.events, command.batchSize).map(
      (event) => ({ event, events: event.Records.length }),
    );
  }
  const secret = process.env.CALLBACK_SECRET ?? '';
  return Array.from({ length: command.events }, (_, index) => ({
    event: callbackRequest(secret, command.firstPackageId + index),
    events: 1,
  }));
};

const runRound = async (
  workload: Workload,
  handler: Handler,
  command: WorkerCommand & { type: 'round' },
): Promise<RoundReport> => {
  const invocations = invocationsFor(workload, command);
  const latenciesMs: number[] = [];
  let failures = 0;
  let events = 0;
  const emfBefore = emfBlobs;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const invocation of invocations) {
    const sent = performance.now();
    const answer = await handler(invocation.event, lambdaContext(60_000));
    latenciesMs.push(performance.now() - sent);
    failures += failuresIn(workload, answer);
    events += invocation.events;
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    type: 'round',
    events,
    invocations: invocations.length,
    wallMs,
    cpuMicros: cpu.user + cpu.system,
    failures,
    latenciesMs,
    emfBlobs: emfBlobs - emfBefore,
  };
};

/**
 * Counts the EMF blobs the handler prints, so the report can say the metrics were on. One
 * `startsWith` per write, on every variant alike; the text still goes to stdout (ignored).
 */
let emfBlobs = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('{"_aws":')) emfBlobs += 1;
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const workload = process.argv[2];
if (!isWorkload(workload)) throw new Error(`unknown workload: ${workload}`);
const { handler } = (await import(
  new URL(WORKLOADS[workload], import.meta.url).href
)) as HandlerModule;

process.on('message', (command: WorkerCommand) => {
  if (command.type === 'stop') process.exit(0);
  runRound(workload, handler, command).then(send, (error: unknown) =>
    send({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
});
// The bench is gone (killed, or crashed): nothing will ask for another round.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
