import { GCProfiler } from 'node:v8';
import type { HandlerModule } from '../harness/handler-modules.ts';
import { lambdaContext } from '../harness/lambda-context.ts';
import {
  callbackRequest,
  completionBatches,
  reconcileTick,
  signingEventBatches,
} from './events.ts';
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
type Round = WorkerCommand & { type: 'round' };

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

const isWorkload = (name: string | undefined): name is Workload =>
  name !== undefined && Object.hasOwn(WORKLOADS, name);

const field = (answer: unknown, name: string): unknown =>
  typeof answer === 'object' && answer !== null
    ? (answer as Record<string, unknown>)[name]
    : undefined;

const failuresIn = (workload: Workload, answer: unknown): number => {
  if (workload === 'callback') return field(answer, 'statusCode') === 200 ? 0 : 1;
  if (workload === 'reconcile') {
    const unconfirmed = field(answer, 'unconfirmed');
    return typeof unconfirmed === 'number' ? unconfirmed : 1;
  }
  const failures = field(answer, 'batchItemFailures');
  return Array.isArray(failures) ? failures.length : 1;
};

const invocationsFor = (workload: Workload, command: Round) => {
  const { firstPackageId, events, batchSize } = command;
  switch (workload) {
    case 'callback': {
      const secret = process.env.CALLBACK_SECRET ?? '';
      return Array.from({ length: events }, (_, index) => ({
        event: callbackRequest(secret, firstPackageId + index) as unknown,
        events: 1,
      }));
    }
    case 'publish':
      return completionBatches(firstPackageId, events, batchSize).map((event) => ({
        event: event as unknown,
        events: event.Records.length,
      }));
    case 'reconcile':
      // The packages are the bench's to seed: a run finds them through the index.
      return Array.from({ length: events }, () => ({
        event: reconcileTick() as unknown,
        events: 1,
      }));
    default:
      return signingEventBatches(firstPackageId, events, batchSize).map((event) => ({
        event: event as unknown,
        events: event.Records.length,
      }));
  }
};

/**
 * Counts what the handler prints, as CloudWatch Logs would ingest it: every line on stdout and
 * stderr, and the EMF blobs among them. One `startsWith` per write, on every variant alike; the
 * text still goes on (to nothing: the bench ignores it).
 */
const printed = { bytes: 0, lines: 0, emfBlobs: 0, emfBytes: 0 };
const countWrites = (stream: NodeJS.WriteStream) => {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : undefined;
    const bytes =
      text !== undefined ? Buffer.byteLength(text) : chunk instanceof Uint8Array ? chunk.length : 0;
    printed.bytes += bytes;
    printed.lines += text === undefined ? 1 : Math.max(1, text.split('\n').length - 1);
    if (text?.startsWith('{"_aws":')) {
      printed.emfBlobs += 1;
      printed.emfBytes += bytes;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
};
countWrites(process.stdout);
countWrites(process.stderr);

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Each round ends with a scavenge, inside its measurement (the worker runs with --expose-gc), so
 * every round pays for its own young garbage and none of its neighbour's: left alone, a round of
 * 50 events holds a scavenge every other time, and two identical instances out of step read
 * ±12% apart round by round.
 */
const collectOwnGarbage = (): void => {
  globalThis.gc?.({ type: 'minor' });
};

/** The collector's work during a round, as V8's GC profiler reports it (cost in µs). */
const collectorWork = (profiler: GCProfiler) => {
  const statistics = profiler.stop()?.statistics ?? [];
  const minor = statistics.filter(({ gcType }) => gcType === 'Scavenge').length;
  return {
    gcMinor: minor,
    gcMajor: statistics.length - minor,
    gcMs: statistics.reduce((all, { cost }) => all + cost, 0) / 1000,
  };
};

const runRound = async (workload: Workload, handler: Handler, command: Round) => {
  const invocations = invocationsFor(workload, command);
  const latenciesMs: number[] = [];
  let failures = 0;
  let events = 0;
  const before = { ...printed };
  const profiler = new GCProfiler();
  profiler.start();
  const startedAtMicros = monotonicMicros();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const invocation of invocations) {
    const sent = performance.now();
    const answer = await handler(invocation.event, lambdaContext(60_000));
    latenciesMs.push(performance.now() - sent);
    failures += failuresIn(workload, answer);
    events += invocation.events;
  }
  if (command.collect) collectOwnGarbage();
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
    logBytes: printed.bytes - before.bytes,
    logLines: printed.lines - before.lines,
    emfBlobs: printed.emfBlobs - before.emfBlobs,
    emfBytes: printed.emfBytes - before.emfBytes,
    ...collectorWork(profiler),
    startedAtMicros,
    endedAtMicros: monotonicMicros(),
  } satisfies RoundReport;
};

const workload = process.argv[2];
if (!isWorkload(workload)) throw new Error(`unknown workload: ${workload}`);
const { handler } = (await import(
  new URL(WORKLOADS[workload], import.meta.url).href
)) as HandlerModule;

process.on('message', (command: WorkerCommand) => {
  // A normal exit, so that `--cpu-prof` writes its profile.
  if (command.type === 'stop') process.exit(0);
  if (command.type === 'collect') {
    globalThis.gc?.();
    send({ type: 'collected' });
    return;
  }
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
