import { randomBytes } from 'node:crypto';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../harness/dynamodb-local.ts';
import { startEventBridgeEmulator } from '../../harness/eventbridge-emulator.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { CallbackMode, SimulatorCredentials } from '../../harness/simulator/types.ts';
import { createStreamPump } from '../../harness/stream-pump.ts';
import { createTable } from '../../harness/table.ts';
import { silentLog } from '../../lib/logger.ts';
import {
  type ReconcileSummary,
  reconcilePackages,
} from '../../lib/reconcile/reconcile-packages.ts';
import { SigningHubClient } from '../../lib/signinghub/signinghub-client.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { lambdaContext, scheduledEvent } from '../support/factories.ts';
import { callbackFor, hostileCallback } from '../support/soak-factories.ts';
import { type PlainItem, plainItem } from '../support/table-items.ts';
import { type CallbackAnswer, startCallbackBridge } from './callback-bridge.ts';
import { createEventSourceMapping, type MappingStats } from './event-source-mapping.ts';
import { loadHandlers, type SoakHandlers } from './handlers.ts';
import {
  type CallbackRecord,
  checkInvariants,
  type InvariantRow,
  type Outage,
} from './invariants.ts';
import { type LeakFinding, startLogScanner } from './log-scanner.ts';
import { seededRandom } from './random.ts';
import { observeSigningHub } from './signinghub-observer.ts';
import { createSqsQueue, type QueueStats } from './sqs-emulation.ts';
import { createStreamHistory } from './stream-history.ts';
import { type ChaosAction, createWorkload, type WorkloadOptions } from './workload.ts';

export interface SoakOptions extends WorkloadOptions {
  readonly seed: number;
  /** Separately loaded finish modules: warm execution environments running side by side. */
  readonly instances: number;
  readonly batchSize: number;
  /** The finish function's timeout: the Lambda clock each invocation gets. */
  readonly lambdaTimeoutMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxReceiveCount: number;
  readonly signingHubTimeoutMs: number;
  /** RECONCILE_AFTER_SECONDS of the scheduled reconciler during the run. */
  readonly reconcileAfterSeconds: number;
  readonly reconcileEveryMs: number;
  /** Where DynamoDB Local keeps its files; a RAM disk when there is one (it is 2-3x faster). */
  readonly dbDir?: string | undefined;
  readonly callbackLossRate: number;
  readonly callbackDuplicateRate: number;
  readonly callbackMaxDelayMs: number;
  /** Show the functions' own log lines (they are scanned either way). */
  readonly showLogs: boolean;
  /** A file that keeps every log line of the run. */
  readonly logFile?: string | undefined;
  /** Progress lines on stderr (scanned like the logs). */
  readonly showProgress: boolean;
}

/**
 * The deployed timings compressed so 10,000 events take minutes: the Lambda clock gives each
 * invocation 20 s (60 s deployed) and the visibility timeout is 20 s (360 s), SigningHub gets
 * 300 ms an attempt (10 s) and the reconciler looks at packages quiet for 20 s (900 s). The
 * function keeps more than DynamoDB Local's restart (2-7 s here) to record what it did.
 */
export const DEFAULT_SOAK_OPTIONS: SoakOptions = Object.freeze({
  events: 10_000,
  packages: undefined,
  duplicateRate: 0.05,
  concurrentDuplicateShare: 0.4,
  malformedRate: 0.005,
  transientFaultRate: 0.1,
  finalFaultRate: 0.01,
  outagePackages: 2,
  workflowFaultRate: 0.05,
  declineRate: 0.01,
  deleteRate: 0.005,
  prematureCallbackRate: 0.05,
  hostileCallbacks: 20,
  tokenRevocations: [0.3, 0.7],
  restartDynamoDbAt: 0.5,
  eventBridgeRefusals: [0.2, 0.6, 0.9],
  seed: 20_261_127,
  instances: 4,
  batchSize: 10,
  lambdaTimeoutMs: 20_000,
  visibilityTimeoutMs: 20_000,
  maxReceiveCount: 5,
  signingHubTimeoutMs: 300,
  reconcileAfterSeconds: 20,
  reconcileEveryMs: 5_000,
  callbackLossRate: 0.15,
  callbackDuplicateRate: 0.15,
  callbackMaxDelayMs: 1_500,
  showLogs: false,
  showProgress: false,
});

export interface SoakFigures {
  readonly durationMs: number;
  readonly events: {
    readonly sent: number;
    readonly distinct: number;
    readonly duplicates: number;
    readonly concurrentPairs: number;
    readonly malformed: number;
    readonly packages: number;
    readonly keys: number;
  };
  readonly queue: Readonly<QueueStats>;
  readonly mapping: Readonly<MappingStats>;
  readonly finishByStatus: Readonly<Record<string, number>>;
  readonly workflowByStatus: Readonly<Record<string, number>>;
  readonly authenticateRequests: number;
  readonly faultsScripted: {
    readonly transient: Readonly<Record<string, number>>;
    /** Finishes SigningHub did but answered after the timeout. */
    readonly lateAnswersServed: number;
    readonly final: Readonly<Record<string, number>>;
    readonly workflow: Readonly<Record<string, number>>;
    readonly outagePackages: number;
    readonly outageResponses: number;
  };
  readonly tokenRevocations: number;
  readonly dynamoDbOutageMs: number | undefined;
  /** True when the outage began as SigningHub answered a transient error (not on a timer). */
  readonly dynamoDbStoppedOnServerError: boolean;
  readonly callbacks: {
    readonly sentBySigningHub: number;
    readonly lostInTransit: number;
    readonly duplicated: number;
    readonly premature: number;
    readonly prematureBeforeAnyFinish: number;
    readonly declines: number;
    readonly deletions: number;
    readonly hostile: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
  readonly reconcile: {
    readonly runs: number;
    /** The final pass over every open package, after the queue drained. */
    readonly finalChecks: number;
    readonly failedRuns: number;
    readonly checked: number;
    readonly madeFinal: number;
    readonly unconfirmed: number;
  };
  readonly completionEvents: Readonly<Record<string, number>>;
  readonly eventBridgeRefusals: number;
  readonly logLines: number;
  readonly tokensIssued: number;
  /** The process runs everything: its event loop's delays bound how precise timeouts can be. */
  readonly eventLoopDelayMs: { readonly p99: number; readonly max: number };
}

export interface SoakResult {
  readonly ok: boolean;
  readonly invariants: readonly InvariantRow[];
  readonly figures: SoakFigures;
}

const CALLBACK_MODES: readonly CallbackMode[] = ['query', 'webhook', 'report'];

const countBy = <T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
};

/** Sets variables for the run and puts the old values back afterwards. */
const setEnvironment = (variables: Record<string, string>): (() => void) => {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};

const dbDirectory = async (wanted: string | undefined): Promise<string> => {
  if (wanted !== undefined) return wanted;
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
};

const scanTable = async (client: DynamoDBClient, tableName: string): Promise<PlainItem[]> => {
  const items: PlainItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []).map(plainItem));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
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
  const tableName = `soak-${options.seed}`;

  const cleanups: (() => Promise<void> | void)[] = [];
  let ended = false;
  const dbPath = await mkdtemp(join(await dbDirectory(options.dbDir), 'signinghub-soak-'));
  cleanups.push(() => rm(dbPath, { recursive: true, force: true }));
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
    let dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dbPath });
    cleanups.push(() => dynamoDb.stop());
    const simulator = await startSimulator({ credentials, autoCreatePackages: false });
    cleanups.push(() => simulator.close());
    const eventBridge = await startEventBridgeEmulator();
    cleanups.push(() => eventBridge.close());

    cleanups.push(
      setEnvironment({
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: dynamoDb.endpoint,
        SIGNINGHUB_BASE_URL: simulator.url,
        SIGNINGHUB_CLIENT_ID: credentials.clientId,
        SIGNINGHUB_CLIENT_SECRET: credentials.clientSecret,
        SIGNINGHUB_USERNAME: credentials.username,
        SIGNINGHUB_PASSWORD: credentials.password,
        SIGNINGHUB_TIMEOUT_MS: String(options.signingHubTimeoutMs),
        CALLBACK_SECRET: callbackSecret,
        EVENT_BUS_NAME: 'soak-completions',
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
        RECONCILE_AFTER_SECONDS: String(options.reconcileAfterSeconds),
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      }),
    );
    const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint });
    cleanups.push(() => client.destroy());
    await createTable(client, tableName);

    for (const { packageId, signers } of workload.packages) {
      simulator.createPackage(packageId, [...signers]);
    }
    for (const [packageId, responses] of workload.finishScripts) {
      simulator.script(packageId, 'finish', ...responses);
    }
    for (const [packageId, responses] of workload.workflowScripts) {
      simulator.script(packageId, 'workflow', ...responses);
    }

    const finishedPackages = new Set<number>();
    const outagePackages = new Set(workload.faults.outagePackages);
    /** Set while the restart waits for SigningHub's next transient answer: it stops right then. */
    let stopOnServerError:
      | { readonly trigger: () => void; readonly stopped: Promise<void> }
      | undefined;
    const lateAnswers = new Map(workload.lateAnswers);
    const lateAnswerKeys = new Set<string>();
    let lateAnswersServed = 0;
    const observer = observeSigningHub({
      baseUrl: simulator.url,
      onToken: (token) => scanner.addToken(token),
      onFinishAnswered: (packageId, _scope, status) => {
        if (status === 200) finishedPackages.add(packageId);
      },
      beforeFinishAnswer: (packageId, scope, { status, headers }) => {
        // A transient answer the function retries at once (not a package SigningHub keeps
        // failing, whose 5xx may be the last try, nor a Retry-After too long to wait for).
        const retriedAtOnce =
          (status === 500 ||
            status === 503 ||
            (status === 429 && headers.get('retry-after') === '1')) &&
          !outagePackages.has(packageId);
        if (stopOnServerError && retriedAtOnce) {
          const { trigger, stopped } = stopOnServerError;
          stopOnServerError = undefined;
          trigger();
          return stopped;
        }
        const left = lateAnswers.get(packageId) ?? 0;
        if (status !== 200 || left === 0) return undefined;
        lateAnswers.set(packageId, left - 1);
        lateAnswerKeys.add(`${packageId}|${scope === '' ? '-' : scope}`);
        lateAnswersServed += 1;
        // SigningHub has done the work; the function's timeout fires before it hears so.
        return delay(options.signingHubTimeoutMs + 200);
      },
    });
    cleanups.push(() => observer.uninstall());

    const handlers: SoakHandlers = await loadHandlers(runId, options.instances);

    // Callbacks: every answer is recorded and searched for the secret.
    const callbacks: CallbackRecord[] = [];
    const otherLeaks: LeakFinding[] = [];
    const deliver = async (
      event: APIGatewayProxyEventV2,
      source: CallbackRecord['source'],
      expectedStatus?: number,
    ): Promise<CallbackAnswer> => {
      const module = chaosRandom.pick(handlers.callback);
      const callbackStartedAt = Date.now();
      try {
        const result = await module.handler(event, lambdaContext(20_000));
        const body = typeof result.body === 'string' ? result.body : undefined;
        otherLeaks.push(...scanner.scanText('a callback answer', body ?? ''));
        const statusCode = result.statusCode ?? 200;
        callbacks.push({
          source,
          status: statusCode,
          expectedStatus,
          startedAt: callbackStartedAt,
          endedAt: Date.now(),
        });
        return { statusCode, body };
      } catch {
        callbacks.push({
          source,
          status: 'threw',
          startedAt: callbackStartedAt,
          endedAt: Date.now(),
        });
        return { statusCode: 500, body: undefined };
      }
    };
    const bridge = await startCallbackBridge({
      deliver: (event) => deliver(event, 'signinghub'),
      random: chaosRandom,
      lossRate: options.callbackLossRate,
      duplicateRate: options.callbackDuplicateRate,
      maxDelayMs: options.callbackMaxDelayMs,
    });
    cleanups.push(() => bridge.close());
    const callbackUrl = `${bridge.url}/signinghub/callback/${callbackSecret}`;
    const rotateMode = () =>
      simulator.setCallback({ url: callbackUrl, mode: chaosRandom.pick(CALLBACK_MODES) });
    rotateMode();
    const modeTimer = setInterval(rotateMode, 300);
    cleanups.push(() => clearInterval(modeTimer));

    // Completion events: the table's stream, through the publish function, to EventBridge.
    const history = createStreamHistory();
    const pump = await createStreamPump(client, dynamoDb.endpoint, tableName, (event) => {
      history.observe(event.Records);
      return handlers.publish.handler(event, lambdaContext(60_000));
    });
    pump.start(250);
    cleanups.push(() => pump.stop());

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
    cleanups.push(() => mapping.stop());

    // The reconciler on its schedule.
    const reconcileRuns: (ReconcileSummary | 'failed')[] = [];
    let reconciling: Promise<void> | undefined;
    const reconcileOnce = () => {
      reconciling ??= handlers.reconcile
        .handler(scheduledEvent(), lambdaContext(60_000))
        .then(
          (summary) => {
            reconcileRuns.push(summary);
          },
          () => {
            reconcileRuns.push('failed');
          },
        )
        .finally(() => {
          reconciling = undefined;
        });
      return reconciling;
    };
    const reconcileTimer = setInterval(() => void reconcileOnce(), options.reconcileEveryMs);
    cleanups.push(() => clearInterval(reconcileTimer));

    // The chaos timeline, driven by how far the queue has got.
    let outage: Outage | undefined;
    let revocations = 0;
    let refusals = 0;
    const counts = { premature: 0, prematureBeforeAnyFinish: 0, declines: 0, deletions: 0 };
    const directCallbacks = new Set<Promise<unknown>>();
    const sendDirect = (
      event: APIGatewayProxyEventV2,
      source: CallbackRecord['source'],
      expected?: number,
    ) => {
      const sent = deliver(event, source, expected).finally(() => directCallbacks.delete(sent));
      directCallbacks.add(sent);
    };
    const perform = async (action: ChaosAction): Promise<void> => {
      switch (action.kind) {
        case 'revoke-tokens':
          simulator.revokeTokens();
          revocations += 1;
          say(`soak: SigningHub revoked every token at ${Math.round(settledShare() * 100)}%`);
          return;
        case 'eventbridge-refuses':
          eventBridge.failNext(action.count);
          refusals += action.count;
          return;
        case 'restart-dynamodb': {
          say(`soak: stopping DynamoDB Local at ${Math.round(settledShare() * 100)}%`);
          // Stopped the moment SigningHub answers 5xx or 429, so a retry must be recorded meanwhile.
          let markStopped = () => {};
          const stopped = new Promise<void>((resolve) => {
            markStopped = resolve;
          });
          const triggered = await new Promise<boolean>((resolve) => {
            stopOnServerError = { trigger: () => resolve(true), stopped };
            setTimeout(() => resolve(false), 20_000);
          });
          stopOnServerError = undefined;
          const stoppedAt = Date.now();
          await dynamoDb.stop();
          markStopped();
          dynamoDb = await startDynamoDbLocal({ dbPath, port: dynamoDb.port });
          outage = { stoppedAt, restartedAt: Date.now(), onServerError: triggered };
          say(`soak: DynamoDB Local back after ${outage.restartedAt - stoppedAt} ms`);
          return;
        }
        case 'decline':
          simulator.setWorkflowStatus(action.packageId, 'DECLINED');
          counts.declines += 1;
          if (action.callback) {
            sendDirect(callbackFor(action.callback, action.packageId, callbackSecret), 'decline');
          }
          return;
        case 'delete':
          simulator.deletePackage(action.packageId);
          counts.deletions += 1;
          return;
        case 'premature-callback':
          counts.premature += 1;
          if (!finishedPackages.has(action.packageId)) counts.prematureBeforeAnyFinish += 1;
          sendDirect(callbackFor(action.shape, action.packageId, callbackSecret), 'premature');
          return;
        case 'hostile-callback': {
          const attack = hostileCallback(action.attack, callbackSecret, action.packageId);
          sendDirect(attack.event, 'hostile', attack.expectedStatus);
          return;
        }
      }
    };
    const chaos = (async () => {
      for (const action of workload.actions) {
        while (!ended && settledShare() < action.at) await delay(20);
        if (ended) return;
        await perform(action);
      }
    })();

    let lastReport = Date.now();
    const recentDelay = monitorEventLoopDelay({ resolution: 10 });
    recentDelay.enable();
    const report = setInterval(() => {
      const now = Date.now();
      if (now - lastReport < 5_000) return;
      lastReport = now;
      say(
        `soak: ${Math.round(settledShare() * 100)}% settled, ${queue.size()} queued, ` +
          `${queue.deadLetters.length} dead-lettered, ${mapping.stats.invocations} invocations, ` +
          `${Math.round((now - startedAt) / 1000)} s, event loop delay up to ` +
          `${Math.round(recentDelay.max / 1e6)} ms`,
      );
      recentDelay.reset();
    }, 1_000);
    cleanups.push(() => {
      recentDelay.disable();
    });
    cleanups.push(() => clearInterval(report));

    await mapping.drained();
    await chaos;
    await mapping.stop();
    clearInterval(modeTimer);
    await simulator.callbacksSettled();
    await bridge.settled();
    while (directCallbacks.size > 0) await Promise.allSettled([...directCallbacks]);
    clearInterval(reconcileTimer);
    await reconciling;
    say(`soak: queue drained after ${Math.round((Date.now() - startedAt) / 1000)} s; reconciling`);

    // The last word, as a late scheduled run would have it: every open package, however recent.
    const finalReconcile: ReconcileSummary[] = [];
    const reconcileDeps = {
      packages: new DynamoDbPackageStore(new DynamoDbTable(client, tableName)),
      signingHub: new SigningHubClient({
        baseUrl: simulator.url,
        apiVersion: 'v3',
        timeoutMs: 2_000,
        credentials: async () => credentials,
      }),
      now: () => new Date(),
    };
    for (let run = 0; run < 20; run += 1) {
      const summary = await reconcilePackages(
        reconcileDeps,
        { afterSeconds: 0, maxPackages: 100_000, pageSize: 100, concurrency: 5 },
        silentLog,
      );
      finalReconcile.push(summary);
      if (!summary.more && summary.unconfirmed === 0) break;
      await delay(500);
    }
    for (let quiet = 0; quiet < 2; ) quiet = (await pump.drain()) === 0 ? quiet + 1 : 0;
    clearInterval(report);

    const items = await scanTable(client, tableName);
    otherLeaks.push(...scanner.scanText('a stored item', JSON.stringify(items)));
    const signingHubFinal = new Map<number, string>();
    for (const { packageId } of workload.packages) {
      const state = simulator.getPackage(packageId);
      if (!state) signingHubFinal.set(packageId, 'DELETED');
      else if (state.workflowStatus === 'COMPLETED' || state.workflowStatus === 'DECLINED') {
        signingHubFinal.set(packageId, state.workflowStatus);
      }
    }
    const logScan = stopScanner();
    const invariants = checkInvariants({
      workload,
      deleted,
      deadLetters: queue.deadLetters,
      leftInQueue: queue.size(),
      invalidBatchResponses: mapping.stats.invalidResponses,
      items,
      calls: simulator.calls,
      signingHubFinal,
      events: eventBridge.events,
      history,
      workflowAnswers: observer.workflowAnswers,
      finishAnswers: observer.finishAnswers,
      finishRequests: observer.finishRequests,
      finishSends: observer.finishSends,
      lateAnswerKeys,
      callbacks,
      outage,
      logScan,
      otherLeaks,
    });

    const summaries = reconcileRuns.filter((run): run is ReconcileSummary => run !== 'failed');
    const callsOf = (operation: string) =>
      simulator.calls.filter((call) => call.operation === operation);
    const figures: SoakFigures = {
      durationMs: Date.now() - startedAt,
      events: {
        sent: total,
        distinct: workload.messages.filter(({ kind }) => kind === 'event').length,
        duplicates: workload.messages.filter(({ kind }) => kind === 'duplicate').length,
        concurrentPairs:
          workload.messages.filter(({ partner }) => partner !== undefined).length / 2,
        malformed: workload.messages.filter(({ kind }) => kind === 'malformed').length,
        packages: workload.packages.length,
        keys: workload.keys.size,
      },
      queue: queue.stats,
      mapping: mapping.stats,
      finishByStatus: countBy(callsOf('finish'), ({ status }) => String(status)),
      workflowByStatus: countBy(callsOf('workflow'), ({ status }) => String(status)),
      authenticateRequests: callsOf('authenticate').length,
      faultsScripted: {
        transient: workload.faults.transient,
        lateAnswersServed,
        final: workload.faults.final,
        workflow: workload.faults.workflow,
        outagePackages: workload.faults.outagePackages.length,
        outageResponses: workload.faults.outageResponses,
      },
      tokenRevocations: revocations,
      dynamoDbOutageMs: outage ? outage.restartedAt - outage.stoppedAt : undefined,
      dynamoDbStoppedOnServerError: outage?.onServerError ?? false,
      callbacks: {
        sentBySigningHub: simulator.callbacksSent.length,
        lostInTransit: bridge.stats.lost,
        duplicated: bridge.stats.duplicated,
        premature: counts.premature,
        prematureBeforeAnyFinish: counts.prematureBeforeAnyFinish,
        declines: counts.declines,
        deletions: counts.deletions,
        hostile: callbacks.filter(({ source }) => source === 'hostile').length,
        byStatus: countBy(callbacks, ({ status }) => String(status)),
      },
      reconcile: {
        runs: reconcileRuns.length,
        finalChecks: finalReconcile.reduce((sum, run) => sum + run.checked, 0),
        failedRuns: reconcileRuns.length - summaries.length,
        checked: summaries.reduce((sum, run) => sum + run.checked, 0),
        madeFinal: summaries.reduce((sum, run) => sum + run.final, 0),
        unconfirmed: summaries.reduce((sum, run) => sum + run.unconfirmed, 0),
      },
      completionEvents: countBy(eventBridge.events, ({ detailType }) => detailType),
      eventBridgeRefusals: refusals,
      logLines: logScan.lines,
      tokensIssued: observer.tokens.size,
      eventLoopDelayMs: {
        p99: Math.round(loopDelay.percentile(99) / 1e6),
        max: Math.round(loopDelay.max / 1e6),
      },
    };
    return { ok: invariants.every(({ ok }) => ok), invariants, figures };
  } finally {
    ended = true;
    loopDelay.disable();
    if (!scannerStopped) stopScanner();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        say(`soak: cleanup failed: ${error instanceof Error ? error.message : 'unknown'}`);
      }
    }
  }
};
