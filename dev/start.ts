import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEventBridgeEmulator } from '../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../harness/function-env.ts';
import { importHandler } from '../harness/handler-modules.ts';
import { lambdaContext } from '../harness/lambda-context.ts';
import { createTable } from '../harness/table.ts';
import { isHelpRequested, isUsageError, parseCommand } from '../ops/command-line.ts';
import { SERVICE } from '../ops/operator-target.ts';
import { describeFailure } from '../ops/run-command.ts';
import type { ChildRecord, PublishedEvent } from '../ops/stack-state.ts';
import { removeStackState, writeStackState } from '../ops/stack-state.ts';
import { isUserError } from '../ops/user-error.ts';
import { renderBanner, shownPath } from './banner.ts';
import { claimFolder } from './claim-folder.ts';
import { startCompletionEventRelay } from './completion-event-relay.ts';
import { describeEvent } from './event-line.ts';
import { freshPackageId } from './fresh-package-id.ts';
import { showFunctionLogs } from './in-process-output.ts';
import { requireJava } from './java-check.ts';
import { findOwnChildren } from './leftovers.ts';
import { startLocalArchive } from './local-archive.ts';
import { startLocalDynamoDb } from './local-dynamodb.ts';
import {
  EVENT_BUS_NAME,
  LOCAL_AWS,
  loadLocalSettings,
  REGION,
  STAGE,
  TABLE_NAME,
} from './local-settings.ts';
import { startLocalSigningHub } from './local-signinghub.ts';
import type { LocalStackState } from './local-tenants.ts';
import { formatOfflineLine, maskSecrets } from './offline-output.ts';
import { ensurePortsFree } from './required-ports.ts';
import { startServerlessOffline } from './serverless-offline.ts';
import { prepareServiceFolder } from './service-folder.ts';
import { START_COMMAND } from './start-command.ts';
import { createStartUp } from './start-up.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const since = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

let settingsDir: string | undefined;
const startUp = createStartUp(async () => {
  if (settingsDir) await removeStackState(settingsDir);
});
const { step } = startUp;
const shutdown = () => startUp.stop();

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
  Object.assign(process.env, LOCAL_AWS.environment);
};

const main = async (): Promise<void> => {
  parseCommand(START_COMMAND);
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
  await claimFolder(settings.dir, say);
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
    if (ready && !startUp.stopping) say(mask(line));
  };

  let mark = performance.now();
  const dynamoDb = await step(
    () => startLocalDynamoDb(settings, dbPath),
    (db) => () => db.stop(),
  );
  children.push(...(await findOwnChildren(`-dbPath ${dbPath}`)));
  const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint, ...LOCAL_AWS.clientConfig });
  startUp.onStop(async () => client.destroy());
  const tableCreated = await step(() => createTable(client, TABLE_NAME));
  say(
    `  DynamoDB Local        ${dynamoDb.endpoint}, table ${TABLE_NAME} ` +
      `${tableCreated ? 'created' : 'found'} (${since(mark)})`,
  );

  const { simulatorUrl, callbackUrl, tenants } = await startLocalSigningHub(
    settings,
    step,
    say,
    show,
  );

  const eventBridge = await step(
    () => startEventBridgeEmulator(settings.ports.eventBridge),
    (emulator) => () => emulator.close(),
  );
  // Their logs, as serverless-offline's functions' are shown.
  const restoreOutput = showFunctionLogs(show);
  startUp.onStop(async () => restoreOutput());
  // The publish and archive handlers run here and read their settings once, when imported.
  Object.assign(
    process.env,
    settings.functionEnv,
    functionEnvironment({
      eventBusName: EVENT_BUS_NAME,
      eventBridgeEndpoint: eventBridge.url,
      logLevel: 'WARN',
      // As the stack sets them: the metrics' service dimension, and a cold start Lambda's way.
      serviceName: `${SERVICE}-${STAGE}`,
      initializationType: 'on-demand',
      // As serverless-offline tells its functions: their lines name the function they came from.
      offline: true,
    }),
  );
  const { handler: publish } = await step(() => importHandler('publish'));
  await step(
    () =>
      startCompletionEventRelay({
        dynamoDb: client,
        endpoint: dynamoDb.endpoint,
        tableName: TABLE_NAME,
        eventBridge,
        publish: (event) =>
          publish(
            event,
            lambdaContext(30_000, {
              functionName: `${SERVICE}-${STAGE}-publish`,
              region: REGION,
              accountId: '000000000000',
              logStreamName: 'local',
            }),
          ),
        eventsFile,
        checkpointFile: join(settings.dir, 'stream-checkpoint.json'),
        onEvent: (event: PublishedEvent) => show(`  ${describeEvent(event)}`),
      }),
    (started) => () => started.stop(),
  );
  say(`  completion events     stream → publish → EventBridge emulator ${eventBridge.url}`);
  const archive = await startLocalArchive(settings, step, eventBridge, show);
  say(
    `  archive               ArchiveQueue → archive → S3 stand-in ${archive.endpoint} (not moto), ` +
      `bucket ${archive.bucket} in ${shownPath(archive.folder)}`,
  );

  mark = performance.now();
  const serviceDir = await prepareServiceFolder(settings.dir);
  say('  serverless-offline    bundling the handlers with esbuild and starting them (10-20 s)…');
  const offline = await step(
    () =>
      startServerlessOffline({
        serviceDir,
        signal: startUp.signal,
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
  const state: LocalStackState = {
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
    awsCredentials: LOCAL_AWS.clientConfig.credentials,
    functionEnvironment: settings.functionEnv,
    children,
    tenants,
    archive,
  };
  await writeStackState(settings.dir, state);
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
      tenants,
      archive,
    }),
  );
  ready = true;

  const code = await offline.exited;
  if (!startUp.stopping) {
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
  // --help, or arguments npm start does not take: nothing was started yet.
  if (isHelpRequested(error)) {
    process.stdout.write(error.message);
    process.exit(0);
  }
  if (isUsageError(error)) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  // Once Ctrl-C came, the signal handler stops everything and exits.
  if (startUp.stopping) return;
  const message = isUserError(error) ? error.message : describeFailure(error);
  await shutdown();
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
