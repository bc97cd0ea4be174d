import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { startDynamoDbLocal } from '../harness/dynamodb-local.ts';
import { startEventBridgeEmulator } from '../harness/eventbridge-emulator.ts';
import { startSimulator } from '../harness/simulator/signinghub-simulator.ts';
import { createTable } from '../harness/table.ts';
import { renderBanner, shownPath } from './banner.ts';
import { type PublishedEvent, startCompletionEventRelay } from './completion-event-relay.ts';
import { requireJava } from './java-check.ts';
import { localLambdaContext } from './lambda-context.ts';
import { findOwnChildren, stopLeftovers } from './leftovers.ts';
import {
  EVENT_BUS_NAME,
  LOCAL_AWS,
  type LocalPorts,
  type LocalSettings,
  loadLocalSettings,
  portVariable,
  REGION,
  SERVICE,
  STAGE,
  TABLE_NAME,
} from './local-settings.ts';
import { formatOfflineLine, maskSecrets } from './offline-output.ts';
import { isPortFree } from './ports.ts';
import { describeFailure } from './run-command.ts';
import { startServerlessOffline } from './serverless-offline.ts';
import { prepareServiceFolder } from './service-folder.ts';
import type { ChildRecord } from './stack-state.ts';
import { isAlive, readStateFile, removeStackState, writeStackState } from './stack-state.ts';
import { isUserError, UserError } from './user-error.ts';

interface PublishModule {
  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
}

/** Thrown into the start-up when Ctrl-C came first. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

const describeEvent = (event: PublishedEvent): string => {
  const detail = event.detail as { packageId?: unknown; status?: unknown } | null;
  return `${event.detailType} (package ${String(detail?.packageId)}, ${String(detail?.status)}) → bus ${event.busName}`;
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const since = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const stoppers: (() => Promise<void>)[] = [];
let inFlight: Promise<unknown> = Promise.resolve();
let stopping: Promise<void> | undefined;
const interrupt = new AbortController();
let settingsDir: string | undefined;

/**
 * Runs one start-up step and registers how to stop what it started. Once Ctrl-C came, no step
 * starts; one under way is waited for, so nothing it starts is missed, then everything stops.
 */
const step = async <T>(
  start: () => Promise<T>,
  stopper?: (value: T) => () => Promise<void>,
): Promise<T> => {
  if (stopping) throw new Interrupted();
  const registered = start().then((value) => {
    if (stopper) stoppers.push(stopper(value));
    return value;
  });
  inFlight = registered.catch(() => undefined);
  const value = await registered;
  if (stopping) throw new Interrupted();
  return value;
};

const shutdown = (): Promise<void> => {
  stopping ??= (async () => {
    interrupt.abort();
    await inFlight;
    for (const stop of stoppers.reverse()) {
      await stop().catch(() => undefined);
    }
    if (settingsDir) await removeStackState(settingsDir);
  })();
  return stopping;
};

const ensurePortsFree = async (settings: LocalSettings) => {
  const keys: (keyof LocalPorts)[] = ['dynamoDb', 'eventBridge', 'http', 'lambda'];
  if (settings.signingHub.kind === 'simulator') keys.push('simulator');
  for (const key of keys) {
    const port = settings.ports[key];
    if (await isPortFree(port)) continue;
    const { name, role } = portVariable(key);
    throw new UserError(
      `port ${port} (${role}) is already in use: stop what uses it, or choose another with ` +
        `${name}=<port> npm start`,
    );
  }
};

/** One stack per folder: a live one is an error, a killed one's leftovers are stopped. */
const claimFolder = async (dir: string) => {
  const previous = await readStateFile(dir);
  if (previous?.pid !== undefined && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new UserError(
      `the local stack is already running (pid ${previous.pid}): use it, or stop it with Ctrl-C ` +
        'in its terminal first',
    );
  }
  if (previous) {
    const stopped = await stopLeftovers(previous.children ?? []);
    if (stopped.length > 0) {
      say(`  stopped what an earlier npm start left running (pids ${stopped.join(', ')})`);
    }
    await removeStackState(dir);
  }
  await writeStackState(dir, { pid: process.pid, ready: false, children: [] });
};

const startDynamoDb = async (settings: LocalSettings, dbPath: string) => {
  try {
    return await startDynamoDbLocal({
      port: settings.ports.dynamoDb,
      dbPath,
      startTimeoutMs: 90_000,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/java was not found/i.test(message)) {
      throw new UserError(
        'Java was not found on the PATH, and DynamoDB Local needs it: install Java 17 or newer',
      );
    }
    if (/address already in use|BindException/i.test(message)) {
      throw new UserError(
        `port ${settings.ports.dynamoDb} (DynamoDB Local) is already in use: stop what uses it, ` +
          'or choose another with LOCAL_DYNAMODB_PORT=<port> npm start',
      );
    }
    const last = message.split('\n').filter((line) => line.trim() !== '');
    throw new UserError(
      `DynamoDB Local did not start (${last.at(-1) ?? message}): delete ${shownPath(dbPath)} ` +
        'if its files are damaged, and run npm start again',
    );
  }
};

/** The next package id after every one in the table, so the example shows a fresh loop. */
const freshPackageId = async (client: DynamoDBClient): Promise<number> => {
  let highest = 1000;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE_NAME,
        ProjectionExpression: 'pk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const match = /^PACKAGE#([0-9]+)$/.exec(item.pk?.S ?? '');
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return highest + 1;
};

/** Only made-up AWS settings, so nothing here can reach a real AWS account. */
const useLocalAws = () => {
  for (const name of [
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_ENDPOINT_URL',
  ]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  });
};

const main = async (): Promise<void> => {
  const started = performance.now();
  const settings = loadLocalSettings(process.env);
  requireJava();
  useLocalAws();
  const functionLogLevel = process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO';
  await mkdir(settings.dir, { recursive: true });
  say(
    `Starting signinghub-finish locally (stage ${STAGE}, data in ${shownPath(settings.dir)}); ` +
      'Ctrl-C stops it',
  );
  await claimFolder(settings.dir);
  settingsDir = settings.dir;
  await ensurePortsFree(settings);
  const mask = maskSecrets(settings.secrets);
  const dbPath = join(settings.dir, 'dynamodb');
  const logFile = join(settings.dir, 'offline.log');
  const eventsFile = join(settings.dir, 'events.jsonl');
  await mkdir(dbPath, { recursive: true });
  const children: ChildRecord[] = [];
  let ready = false;
  const show = (line: string) => {
    if (ready && !stopping) say(mask(line));
  };

  let mark = performance.now();
  const dynamoDb = await step(
    () => startDynamoDb(settings, dbPath),
    (db) => () => db.stop(),
  );
  children.push(...(await findOwnChildren(`-dbPath ${dbPath}`)));
  const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint, ...LOCAL_AWS });
  stoppers.push(async () => client.destroy());
  const tableCreated = await step(() => createTable(client, TABLE_NAME));
  say(
    `  DynamoDB Local        ${dynamoDb.endpoint}, table ${TABLE_NAME} ` +
      `${tableCreated ? 'created' : 'found'} (${since(mark)})`,
  );

  let simulatorUrl: string | undefined;
  const callbackUrl = `http://127.0.0.1:${settings.ports.http}/signinghub/callback/${settings.callbackSecret}`;
  if (settings.signingHub.kind === 'simulator') {
    const { callbackMode } = settings.signingHub;
    const simulator = await step(
      () =>
        startSimulator({
          port: settings.ports.simulator,
          autoCreatePackages: false,
          callback: { url: callbackUrl, mode: callbackMode },
          log: (line) => show(`  [simulator] ${line}`),
        }),
      (started) => () => started.close(),
    );
    simulatorUrl = simulator.url;
    say(`  SigningHub simulator  ${simulator.url}, calls back with ${callbackMode}`);
  } else {
    say(`  SigningHub            ${settings.signingHub.url} (no simulator)`);
  }

  const eventBridge = await step(
    () => startEventBridgeEmulator(settings.ports.eventBridge),
    (emulator) => () => emulator.close(),
  );
  // The publish handler runs here and reads its settings once, when imported.
  Object.assign(process.env, {
    EVENT_BUS_NAME,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  const { handler: publish } = (await step(
    () => import('../functions/publish.ts'),
  )) as PublishModule;
  await step(
    () =>
      startCompletionEventRelay({
        dynamoDb: client,
        endpoint: dynamoDb.endpoint,
        tableName: TABLE_NAME,
        eventBridge,
        publish: (event) =>
          publish(event, localLambdaContext(`${SERVICE}-${STAGE}-publish`, 30_000)),
        eventsFile,
        checkpointFile: join(settings.dir, 'stream-checkpoint.json'),
        onEvent: (event: PublishedEvent) => show(`  [publish] ${describeEvent(event)}`),
      }),
    (started) => () => started.stop(),
  );
  say(`  completion events     stream → publish → EventBridge emulator ${eventBridge.url}`);

  mark = performance.now();
  const serviceDir = await prepareServiceFolder(settings.dir);
  say('  serverless-offline    bundling the handlers with esbuild and starting them (10-20 s)…');
  const offline = await step(
    () =>
      startServerlessOffline({
        serviceDir,
        signal: interrupt.signal,
        env: {
          ...process.env,
          ...settings.functionEnv,
          LOCAL_HTTP_PORT: String(settings.ports.http),
          LOCAL_LAMBDA_PORT: String(settings.ports.lambda),
          POWERTOOLS_LOG_LEVEL: functionLogLevel,
        },
        httpPort: settings.ports.http,
        lambdaPort: settings.ports.lambda,
        logFile,
        mask,
        onLine: (line) => {
          const formatted = formatOfflineLine(line);
          if (formatted) show(formatted);
        },
      }),
    (started) => () => started.stop(),
  );
  children.push({ pid: offline.pid, marker: 'serverless.js offline start' });
  say(
    `  serverless-offline    http://127.0.0.1:${settings.ports.http} and http://127.0.0.1:${settings.ports.lambda} (${since(mark)})`,
  );

  const finishFunctionName = `${SERVICE}-${STAGE}-finish`;
  await writeStackState(settings.dir, {
    pid: process.pid,
    ready: true,
    startedAt: new Date().toISOString(),
    stage: STAGE,
    region: REGION,
    tableName: TABLE_NAME,
    dynamoDbEndpoint: dynamoDb.endpoint,
    httpUrl: `http://127.0.0.1:${settings.ports.http}`,
    lambdaEndpoint: `http://127.0.0.1:${settings.ports.lambda}`,
    finishFunctionName,
    signingHubUrl: settings.signingHub.url,
    simulatorUrl,
    callbackUrl,
    eventBridgeUrl: eventBridge.url,
    eventBusName: EVENT_BUS_NAME,
    eventsFile,
    children,
  });
  const examplePackageId = await step(() => freshPackageId(client));
  say('');
  say(
    renderBanner({
      settings,
      readySeconds: (performance.now() - started) / 1000,
      finishFunctionName,
      tableCreated,
      examplePackageId,
      logFile,
    }),
  );
  ready = true;

  const code = await offline.exited;
  if (!stopping) {
    say(
      `serverless-offline stopped on its own (${code}): see ${shownPath(logFile)}; stopping the rest`,
    );
    await shutdown();
    process.exit(1);
  }
};

let signalled = false;
const stopOnRequest = (why: string) => {
  if (signalled) return;
  signalled = true;
  say(`\nStopping the local stack (${why})…`);
  shutdown().then(
    () => {
      say('Stopped: nothing started by npm start is running any more.');
      process.exit(0);
    },
    () => process.exit(1),
  );
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => stopOnRequest(signal));
}
// npm passes a SIGTERM to the shell between it and this process, not here: an orphan stops too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stopOnRequest('npm stopped');
}, 1_000).unref();

main().catch(async (error: unknown) => {
  // Once Ctrl-C came, the signal handler stops everything and exits.
  if (error instanceof Interrupted || stopping) return;
  const message = isUserError(error) ? error.message : describeFailure(error);
  await shutdown();
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
