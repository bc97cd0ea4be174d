import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { SimulatorCall } from '../../harness/simulator/types.ts';
import { createStreamPump } from '../../harness/stream-pump.ts';
import { scanAll } from '../support/table-items.ts';
import { generatorChecksums } from './archive-evidence.ts';
import { archiveFigures } from './archive-figures.ts';
import { archiveInvariants } from './archive-invariants.ts';
import { startArchiveSide } from './archive-side.ts';
import { expectedScope, planArchive } from './archive-workload.ts';
import { runChaos } from './chaos.ts';
import { createCleanups } from './cleanups.ts';
import { inFlightElsewhereCounter } from './dead-letter-reasons.ts';
import { createEventSourceMapping } from './event-source-mapping.ts';
import { reconcileEveryPackage } from './final-reconcile.ts';
import { loadHandlers } from './handlers.ts';
import type { InvariantRow } from './invariant-row.ts';
import { checkInvariants } from './invariants.ts';
import { latencyByTenant } from './latency.ts';
import { type LeakFinding, startLogScanner } from './log-scanner.ts';
import { sendPaced } from './paced-sender.ts';
import { reportProgress } from './progress.ts';
import { seededRandom } from './random.ts';
import { scheduleReconciler } from './reconcile-schedule.ts';
import { createServerErrorTrap } from './server-error-trap.ts';
import { startSoakCallbacks } from './soak-callbacks.ts';
import { type SoakFigures, soakFigures } from './soak-figures.ts';
import { watchSigningHub } from './soak-observer.ts';
import type { SoakOptions } from './soak-options.ts';
import { SOAK_ARCHIVE_BUCKET, SOAK_BUS, type SoakStack, startSoakStack } from './soak-stack.ts';
import { createSqsQueue } from './sqs-emulation.ts';
import { startSqsEndpoint } from './sqs-endpoint.ts';
import { createStreamHistory } from './stream-history.ts';
import { makeTenantAccounts, type PackageRef, parsePackageRef } from './tenant-mix.ts';
import { createWorkload } from './workload.ts';

export interface SoakResult {
  readonly ok: boolean;
  readonly invariants: readonly InvariantRow[];
  readonly figures: SoakFigures;
}

/** The deployed queue's visibility timeout, 360 s: the soak's is this compressed. */
const DEPLOYED_VISIBILITY_SECONDS = 360;

/** SigningHub's final word on each package: the invariants hold the table to it. */
const finalAtSigningHub = (
  stack: SoakStack,
  refs: readonly PackageRef[],
): Map<PackageRef, string> => {
  const final = new Map<PackageRef, string>();
  for (const ref of refs) {
    const { tenant, packageId } = parsePackageRef(ref);
    const state = stack.simulator.enterprise(tenant).getPackage(packageId);
    if (!state) final.set(ref, 'DELETED');
    else if (state.workflowStatus === 'COMPLETED' || state.workflowStatus === 'DECLINED') {
      final.set(ref, state.workflowStatus);
    }
  }
  return final;
};

/** Every enterprise's call log, in one list. */
const allCalls = (stack: SoakStack): SimulatorCall[] =>
  stack.simulator.enterprises.flatMap((name) => [...stack.simulator.enterprise(name).calls]);

/**
 * Runs the whole system in one process under load and faults: the finish function (several
 * module instances) behind an SQS emulation, SigningHub's callbacks through the callback
 * function, the reconciler on a schedule, completion events from the table's stream, for four
 * tenants on one simulator (one over HTTPS behind a client certificate); each completed package's
 * documents archived by the archive function behind its own queue into the counting S3 stand-in;
 * DynamoDB Local restarted midway and, when asked, one tenant's host down for a while; then
 * checks what must hold.
 */
export const runSoak = async (options: SoakOptions): Promise<SoakResult> => {
  const startedAt = Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const random = seededRandom(options.seed);
  const chaosRandom = seededRandom(options.seed + 1);
  const workload = createWorkload(options, random);
  const archivePlan = planArchive(
    workload,
    options.archive,
    options.signingHubTimeoutMs,
    seededRandom(options.seed + 2),
  );
  const runId = `soak-${options.seed}-${randomBytes(4).toString('hex')}`;
  const accounts = makeTenantAccounts(workload.tenants);

  const cleanups = createCleanups();
  let ended = false;
  const inFlightElsewhere = inFlightElsewhereCounter();
  const scanner = startLogScanner({
    passThrough: options.showLogs,
    logFile: options.logFile,
    onLine: inFlightElsewhere.observe,
  });
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
  for (const { spec, credentials, callbackSecret } of accounts) {
    scanner.addSecret(`${spec.name}'s client secret`, credentials.clientSecret);
    scanner.addSecret(`${spec.name}'s password`, credentials.password);
    scanner.addSecret(`${spec.name}'s callback secret`, callbackSecret);
  }

  try {
    // The queue and its SQS API first: the functions are given its URL.
    const queue = createSqsQueue({
      visibilityTimeoutMs: options.visibilityTimeoutMs,
      maxReceiveCount: options.maxReceiveCount,
    });
    const sqs = await startSqsEndpoint({
      queue,
      msPerSecond: options.visibilityTimeoutMs / DEPLOYED_VISIBILITY_SECONDS,
      ceilingMs: options.handBackCeilingMs,
    });
    cleanups.add(() => sqs.close());
    const stack = await startSoakStack({
      options,
      workload,
      archivePlan,
      accounts,
      queueUrl: sqs.queueUrl,
      cleanups,
    });
    for (const key of stack.clientKeys) {
      // A PEM key's body lines: any of them in a log line is the key leaking.
      for (const line of key.split('\n').filter((text) => text.length >= 40)) {
        scanner.addSecret('a client certificate key', line);
      }
    }
    const { simulator, eventBridge } = stack;
    const trap = createServerErrorTrap();
    const downTenants = new Set<string>();
    const signingHub = watchSigningHub({
      baseUrl: simulator.url,
      httpsBaseUrl: simulator.httpsUrl,
      scanner,
      workload,
      trap,
      signingHubTimeoutMs: options.signingHubTimeoutMs,
      hostDown: (tenant) => downTenants.has(tenant),
    });
    cleanups.add(() => signingHub.observer.uninstall());
    const handlers = await loadHandlers(runId, options.instances, options.archive.instances);

    const otherLeaks: LeakFinding[] = [];
    const callbacks = await startSoakCallbacks({
      options,
      handlers: handlers.callback,
      simulator,
      accounts,
      random: chaosRandom,
      scanner,
      leaks: otherLeaks,
      cleanups,
    });

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
    const drainStream = async () => {
      for (let quiet = 0; quiet < 2; ) quiet = (await pump.drain()) === 0 ? quiet + 1 : 0;
    };

    // The archive: each SigningPackageCompleted on the bus, through ArchiveQueue, to the function.
    const archive = startArchiveSide({
      options: options.archive,
      modules: handlers.archive,
      events: eventBridge.events,
      busName: SOAK_BUS,
      client: stack.client,
      tableName: stack.tableName,
      random: seededRandom(options.seed + 3),
      maxReceiveCount: options.maxReceiveCount,
      packages: workload.packages.map(({ ref }) => ref),
    });
    archive.start();
    cleanups.add(() => archive.stop());
    // S3 busy once, and failing once, early in the archive's work.
    stack.s3.failNext(1, { operation: 'PutObject', code: 'SlowDown' });
    stack.s3.failNext(1, { operation: 'UploadPart', code: 'InternalError' });

    // The finish function's event source mapping, and the signing events as they arrive.
    const deletedAt = new Map<string, number>();
    const mapping = createEventSourceMapping({
      queue,
      instances: handlers.finish.map((module, i) => ({
        name: `finish-${i + 1}`,
        handler: (event, context) => module.handler(event, context),
      })),
      batchSize: options.batchSize,
      lambdaTimeoutMs: options.lambdaTimeoutMs,
      onDeleted: ({ messageId }) => deletedAt.set(messageId, Date.now()),
    });
    const total = workload.messages.length;
    const settledShare = () => (deletedAt.size + queue.deadLetters.length) / total;
    say(
      `soak: ${total} messages for ${workload.packages.length} packages of ` +
        `${workload.tenants.length} tenants (${workload.keys.size} finish keys), ` +
        `${options.eventsPerSecond ?? 'all'} a second, ${options.instances} finish instances`,
    );
    mapping.start();
    cleanups.add(() => mapping.stop());
    const sender = sendPaced(queue, workload.messages, options.eventsPerSecond, () => ended);

    const reconciler = scheduleReconciler(handlers.reconcile, options.reconcileEveryMs);
    // Not waited for: a run under way when the soak fails would only hold up the cleanup.
    cleanups.add(() => void reconciler.stop());
    const chaos = runChaos({
      actions: workload.actions,
      stack,
      trap,
      callbacks: callbacks.delivery,
      routes: callbacks.routes,
      finishedPackages: signingHub.finishedPackages,
      downTenants,
      progress:
        options.eventsPerSecond === undefined ? settledShare : () => sender.sentAt.size / total,
      ended: () => ended,
      say,
    });
    const stopProgress = reportProgress({
      startedAt,
      queue,
      mapping,
      settledShare,
      say,
      more: () =>
        `archive: ${archive.queue.size()} queued, ${archive.deliveries.length} deliveries, ` +
        `${stack.s3.objects().length} objects`,
    });
    cleanups.add(stopProgress);

    await sender.done;
    await mapping.drained();
    await chaos.done;
    // A tenant's host back up after the queue drained may leave its last messages to come.
    await mapping.drained();
    await mapping.stop();
    callbacks.stopRotating();
    await simulator.callbacksSettled();
    await callbacks.bridge.settled();
    await callbacks.delivery.settled();
    await reconciler.stop();
    say(`soak: queue drained after ${Math.round((Date.now() - startedAt) / 1000)} s; reconciling`);

    const finalReconcile = await reconcileEveryPackage(stack);
    await drainStream();
    say(`soak: archiving what is left (${archive.queue.size()} archive messages queued)`);
    await archive.settle(drainStream);
    await archive.stop();
    stopProgress();

    const items = await scanAll(stack);
    otherLeaks.push(...scanner.scanText('a stored item', JSON.stringify(items)));
    const logScan = stopScanner();
    const chaosTally = chaos.tally();
    const calls = allCalls(stack);
    const { observer } = signingHub;
    const objects = stack.s3.objects();
    const checksums = await generatorChecksums(archivePlan, [
      ...objects.map(({ key }) => key),
      ...items.flatMap(({ documents }) =>
        Array.isArray(documents) ? documents.map((entry) => String(entry?.key)) : [],
      ),
    ]);
    const usernames = new Map(
      accounts.map(({ spec, credentials }) => [spec.name, credentials.username]),
    );
    const invariants = checkInvariants({
      workload,
      deleted: new Set(deletedAt.keys()),
      deadLetters: queue.deadLetters,
      leftInQueue: queue.size(),
      invalidBatchResponses: mapping.stats.invalidResponses,
      items,
      calls,
      signingHubFinal: finalAtSigningHub(
        stack,
        workload.packages.map(({ ref }) => ref),
      ),
      events: eventBridge.events,
      history,
      workflowAnswers: observer.workflowAnswers,
      finishAnswers: observer.finishAnswers,
      finishRequests: observer.finishRequests,
      finishSends: observer.finishSends,
      lateAnswerKeys: signingHub.lateAnswerKeys,
      callbacks: callbacks.delivery.records,
      outage: chaosTally.outage,
      tenantOutage: chaosTally.tenantOutage,
      misdirected: observer.misdirected,
      logScan,
      inFlightElsewhere: inFlightElsewhere.counts,
      otherLeaks,
    }).concat(
      archiveInvariants({
        workload,
        plan: archivePlan,
        items,
        events: eventBridge.events,
        calls,
        bucket: SOAK_ARCHIVE_BUCKET,
        objects,
        stores: stack.stores,
        checksums,
        deliveries: archive.deliveries,
        deadLetters: archive.queue.deadLetters,
        deletedAtSigningHub: new Set(
          workload.actions.flatMap((action) =>
            action.kind === 'delete' ? [`${action.tenant}/${action.packageId}`] : [],
          ),
        ),
        scopeOf: (ref) => expectedScope(archivePlan, ref, (tenant) => usernames.get(tenant) ?? ''),
        outage: chaosTally.outage,
        tenantOutage: chaosTally.tenantOutage,
      }),
    );
    const figures = soakFigures({
      startedAt,
      workload,
      queue,
      mapping,
      calls,
      callbacksSent: simulator.enterprises.flatMap(
        (name) => simulator.enterprise(name).callbacksSent,
      ),
      lateAnswersServed: signingHub.lateAnswersServed(),
      chaos: chaosTally,
      bridge: callbacks.bridge.stats,
      callbacks: callbacks.delivery.records,
      reconcileRuns: reconciler.runs,
      finalReconcile,
      events: eventBridge.events,
      logLines: logScan.lines,
      tokensIssued: observer.tokens.size,
      loopDelay,
      latency: latencyByTenant(workload, sender.sentAt, deletedAt, chaosTally.outage),
      eventsPerSecond: options.eventsPerSecond,
      archive: archiveFigures({
        routing: archive.routing,
        queue: archive.queue.stats,
        mapping: archive.mapping.stats,
        deliveries: archive.deliveries,
        routedAt: archive.routedAt,
        items,
        events: eventBridge.events,
        calls,
        objects,
        plan: archivePlan,
        s3Requests: stack.s3.requests(),
      }),
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
