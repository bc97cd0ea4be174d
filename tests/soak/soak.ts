import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { CallbackMode, SimulatorCredentials } from '../../harness/simulator/types.ts';
import { createStreamPump } from '../../harness/stream-pump.ts';
import { scanAll } from '../support/table-items.ts';
import { startCallbackBridge } from './callback-bridge.ts';
import { createCallbackDelivery } from './callback-delivery.ts';
import { runChaos } from './chaos.ts';
import { createCleanups } from './cleanups.ts';
import { createEventSourceMapping } from './event-source-mapping.ts';
import { reconcileEveryPackage } from './final-reconcile.ts';
import { loadHandlers } from './handlers.ts';
import { checkInvariants, type InvariantRow } from './invariants.ts';
import { type LeakFinding, startLogScanner } from './log-scanner.ts';
import { reportProgress } from './progress.ts';
import { seededRandom } from './random.ts';
import { scheduleReconciler } from './reconcile-schedule.ts';
import { createServerErrorTrap } from './server-error-trap.ts';
import { type SoakFigures, soakFigures } from './soak-figures.ts';
import { watchSigningHub } from './soak-observer.ts';
import type { SoakOptions } from './soak-options.ts';
import { type SoakStack, startSoakStack } from './soak-stack.ts';
import { createSqsQueue } from './sqs-emulation.ts';
import { createStreamHistory } from './stream-history.ts';
import { createWorkload } from './workload.ts';

export interface SoakResult {
  readonly ok: boolean;
  readonly invariants: readonly InvariantRow[];
  readonly figures: SoakFigures;
}

const CALLBACK_MODES: readonly CallbackMode[] = ['query', 'webhook', 'report'];

/** SigningHub's final word on each package: the invariants hold the table to it. */
const finalAtSigningHub = (
  stack: SoakStack,
  packageIds: readonly number[],
): Map<number, string> => {
  const final = new Map<number, string>();
  for (const packageId of packageIds) {
    const state = stack.simulator.getPackage(packageId);
    if (!state) final.set(packageId, 'DELETED');
    else if (state.workflowStatus === 'COMPLETED' || state.workflowStatus === 'DECLINED') {
      final.set(packageId, state.workflowStatus);
    }
  }
  return final;
};

/**
 * Runs the whole system in one process under load and faults: the finish function (several
 * module instances) behind an SQS emulation, SigningHub's callbacks through the callback
 * function, the reconciler on a schedule, completion events from the table's stream; DynamoDB
 * Local restarted midway; then checks what must hold.
 */
export const runSoak = async (options: SoakOptions): Promise<SoakResult> => {
  const startedAt = Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const random = seededRandom(options.seed);
  const chaosRandom = seededRandom(options.seed + 1);
  const workload = createWorkload(options, random);
  const runId = `soak-${options.seed}-${randomBytes(4).toString('hex')}`;
  const credentials: SimulatorCredentials = {
    clientId: `soak-client-${randomBytes(4).toString('hex')}`,
    clientSecret: `soak-client-secret-${randomBytes(12).toString('hex')}`,
    username: 'integration@example.com',
    password: `soak-password-${randomBytes(12).toString('hex')}`,
  };
  const callbackSecret = `soak-callback-${randomBytes(12).toString('hex')}`;

  const cleanups = createCleanups();
  let ended = false;
  const scanner = startLogScanner({ passThrough: options.showLogs, logFile: options.logFile });
  let scannerStopped = false;
  const stopScanner = () => {
    scannerStopped = true;
    return scanner.stop();
  };
  const say = (line: string) => {
    if (!options.showProgress) return;
    if (scannerStopped) process.stderr.write(`${line}\n`);
    else scanner.print(line);
  };
  scanner.addSecret('the client secret', credentials.clientSecret);
  scanner.addSecret('the password', credentials.password);
  scanner.addSecret('the callback secret', callbackSecret);

  try {
    const stack = await startSoakStack({
      options,
      workload,
      credentials,
      callbackSecret,
      cleanups,
    });
    const { simulator, eventBridge } = stack;
    const trap = createServerErrorTrap();
    const signingHub = watchSigningHub({
      baseUrl: simulator.url,
      scanner,
      workload,
      trap,
      signingHubTimeoutMs: options.signingHubTimeoutMs,
    });
    cleanups.add(() => signingHub.observer.uninstall());
    const handlers = await loadHandlers(runId, options.instances);

    // Callbacks: SigningHub's through a lossy bridge, in every mode it has, turn by turn.
    const otherLeaks: LeakFinding[] = [];
    const callbacks = createCallbackDelivery({
      handlers: handlers.callback,
      random: chaosRandom,
      scanText: (source, text) => scanner.scanText(source, text),
      leaks: otherLeaks,
    });
    const bridge = await startCallbackBridge({
      deliver: (event) => callbacks.deliver(event, 'signinghub'),
      random: chaosRandom,
      lossRate: options.callbackLossRate,
      duplicateRate: options.callbackDuplicateRate,
      maxDelayMs: options.callbackMaxDelayMs,
    });
    cleanups.add(() => bridge.close());
    const callbackUrl = `${bridge.url}/signinghub/callback/${callbackSecret}`;
    const rotateMode = () =>
      simulator.setCallback({ url: callbackUrl, mode: chaosRandom.pick(CALLBACK_MODES) });
    rotateMode();
    const modeTimer = setInterval(rotateMode, 300);
    cleanups.add(() => clearInterval(modeTimer));

    // Completion events: the table's stream, through the publish function, to EventBridge.
    const history = createStreamHistory();
    const pump = await createStreamPump(
      stack.client,
      stack.dynamoDbEndpoint,
      stack.tableName,
      (event) => {
        history.observe(event.Records);
        return handlers.publish.handler(event, lambdaContext(60_000));
      },
    );
    pump.start(250);
    cleanups.add(() => pump.stop());

    // The queue and the finish function's event source mapping.
    const queue = createSqsQueue({
      visibilityTimeoutMs: options.visibilityTimeoutMs,
      maxReceiveCount: options.maxReceiveCount,
    });
    const deleted = new Set<string>();
    const mapping = createEventSourceMapping({
      queue,
      instances: handlers.finish.map((module, i) => ({
        name: `finish-${i + 1}`,
        handler: (event, context) => module.handler(event, context),
      })),
      batchSize: options.batchSize,
      lambdaTimeoutMs: options.lambdaTimeoutMs,
      onDeleted: ({ messageId }) => deleted.add(messageId),
    });
    for (const message of workload.messages) {
      queue.send({ messageId: message.messageId, body: message.body }, message.partner);
    }
    const total = workload.messages.length;
    const settledShare = () => (deleted.size + queue.deadLetters.length) / total;
    say(
      `soak: ${total} messages for ${workload.packages.length} packages ` +
        `(${workload.keys.size} finish keys), ${options.instances} finish instances`,
    );
    mapping.start();
    cleanups.add(() => mapping.stop());

    const reconciler = scheduleReconciler(handlers.reconcile, options.reconcileEveryMs);
    // Not waited for: a run under way when the soak fails would only hold up the cleanup.
    cleanups.add(() => void reconciler.stop());
    const chaos = runChaos({
      actions: workload.actions,
      stack,
      trap,
      callbacks,
      callbackSecret,
      finishedPackages: signingHub.finishedPackages,
      settledShare,
      ended: () => ended,
      say,
    });
    const stopProgress = reportProgress({ startedAt, queue, mapping, settledShare, say });
    cleanups.add(stopProgress);

    await mapping.drained();
    await chaos.done;
    await mapping.stop();
    clearInterval(modeTimer);
    await simulator.callbacksSettled();
    await bridge.settled();
    await callbacks.settled();
    await reconciler.stop();
    say(`soak: queue drained after ${Math.round((Date.now() - startedAt) / 1000)} s; reconciling`);

    const finalReconcile = await reconcileEveryPackage(stack, credentials);
    for (let quiet = 0; quiet < 2; ) quiet = (await pump.drain()) === 0 ? quiet + 1 : 0;
    stopProgress();

    const items = await scanAll(stack);
    otherLeaks.push(...scanner.scanText('a stored item', JSON.stringify(items)));
    const logScan = stopScanner();
    const chaosTally = chaos.tally();
    const invariants = checkInvariants({
      workload,
      deleted,
      deadLetters: queue.deadLetters,
      leftInQueue: queue.size(),
      invalidBatchResponses: mapping.stats.invalidResponses,
      items,
      calls: simulator.calls,
      signingHubFinal: finalAtSigningHub(
        stack,
        workload.packages.map(({ packageId }) => packageId),
      ),
      events: eventBridge.events,
      history,
      workflowAnswers: signingHub.observer.workflowAnswers,
      finishAnswers: signingHub.observer.finishAnswers,
      finishRequests: signingHub.observer.finishRequests,
      finishSends: signingHub.observer.finishSends,
      lateAnswerKeys: signingHub.lateAnswerKeys,
      callbacks: callbacks.records,
      outage: chaosTally.outage,
      logScan,
      otherLeaks,
    });
    const figures = soakFigures({
      startedAt,
      workload,
      queue,
      mapping,
      simulator,
      lateAnswersServed: signingHub.lateAnswersServed(),
      chaos: chaosTally,
      bridge: bridge.stats,
      callbacks: callbacks.records,
      reconcileRuns: reconciler.runs,
      finalReconcile,
      events: eventBridge.events,
      logLines: logScan.lines,
      tokensIssued: signingHub.observer.tokens.size,
      loopDelay,
    });
    return { ok: invariants.every(({ ok }) => ok), invariants, figures };
  } finally {
    ended = true;
    loopDelay.disable();
    if (!scannerStopped) stopScanner();
    await cleanups.run((error) =>
      say(`soak: cleanup failed: ${error instanceof Error ? error.message : 'unknown'}`),
    );
  }
};
