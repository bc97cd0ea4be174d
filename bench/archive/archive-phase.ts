import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { startEventBridgeEmulator } from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import { type MeasuredHandler, startMeasuredHandler } from '../../harness/measured-handler.ts';
import { type S3StandIn, startS3StandIn } from '../../harness/s3-stand-in.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { createTable } from '../../harness/table.ts';
import { COMPLETED_DETAIL_TYPE, STACK_EVENT_SOURCE } from '../../lib/archive/archive-request.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { type CpuPlan, pinToCpus } from '../affinity.ts';
import { AWS_ENV, benchFunctionEnv } from '../services.ts';
import { type ArchiveRun, archiveFailure, MIB } from './archive-summary.ts';

/** The sizes archived, in MiB, and how many runs of each (a fresh process per run). */
export const ARCHIVE_SIZES: readonly { readonly documentMib: number; readonly runs: number }[] = [
  { documentMib: 1, runs: 3 },
  { documentMib: 20, runs: 3 },
  { documentMib: 200, runs: 2 },
];

const BUCKET = 'bench-archive';
const DOCUMENT_ID = 1;
/** Far above the warm phase's package ids, which count from 1. */
const FIRST_PACKAGE_ID = 900_000_001;

/** What the phase needs of the bench's services: DynamoDB Local and the simulator. */
export interface ArchiveServices {
  readonly admin: DynamoDBClient;
  readonly dynamoDbLocal: { readonly endpoint: string };
  /** Pinned with this process when there is a CPU plan. */
  readonly dynamoDbLocalPid: number | undefined;
  readonly simulator: SigningHubSimulator;
}

export interface ArchivePhaseOptions {
  /** The archive function's bundle, as Lambda loads it. */
  readonly bundlePath: string;
  /** The handler's process on `handlers`; this one (simulator, S3 stand-in), DynamoDB Local on `services`. */
  readonly cpus: CpuPlan | undefined;
  readonly sizes?: typeof ARCHIVE_SIZES;
}

/** ArchiveQueue's message: the completion event EventBridge's rule puts there, as SQS hands it. */
const completedEvent = (packageId: number): SQSEvent => {
  const now = new Date().toISOString();
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `bench-${randomUUID()}`,
        body: JSON.stringify({
          version: '0',
          id: randomUUID(),
          'detail-type': COMPLETED_DETAIL_TYPE,
          source: STACK_EVENT_SOURCE,
          account: '123456789012',
          time: now,
          region: 'us-east-1',
          resources: [],
          detail: { packageId, status: 'COMPLETED', at: now },
        }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: 'not-checked',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:signinghub-finish-bench-ArchiveQueue',
        awsRegion: 'us-east-1',
      },
    ],
  };
};

/** The first line of what went wrong: never the child's output, which follows it. */
const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300) ?? '';

interface RunContext {
  readonly services: ArchiveServices;
  readonly options: ArchivePhaseOptions;
  readonly env: Readonly<Record<string, string>>;
  readonly tableName: string;
  readonly packages: DynamoDbPackageStore;
  readonly s3: S3StandIn;
}

const archiveStatusOf = async (context: RunContext, packageId: number) => {
  const { Item } = await context.services.admin.send(
    new GetItemCommand({
      TableName: context.tableName,
      Key: { pk: { S: `PACKAGE#${packageId}` }, sk: { S: 'PACKAGE' } },
      ConsistentRead: true,
    }),
  );
  return Item?.archiveStatus?.S;
};

/** One run: a fresh process archives one package of one document; its figures or its failure. */
const archiveOnce = async (
  context: RunContext,
  documentMib: number,
  packageId: number,
): Promise<ArchiveRun> => {
  const bytes = documentMib * MIB;
  context.services.simulator.setDocuments(packageId, [{ documentId: DOCUMENT_ID, bytes }]);
  await context.packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    new Date(),
  );
  let archive: MeasuredHandler | undefined;
  try {
    archive = await startMeasuredHandler({
      file: context.options.bundlePath,
      functionName: 'signinghub-finish-bench-archive',
      env: context.env,
    });
    const { cpus } = context.options;
    if (cpus && archive.pid !== undefined) await pinToCpus(archive.pid, cpus.handlers);
    const started = performance.now();
    const { result, peakRssBytes } = await archive.invoke(completedEvent(packageId));
    const seconds = (performance.now() - started) / 1000;
    const spec = { tenant: 'default', packageId, documentId: DOCUMENT_ID, bytes };
    const failure = archiveFailure(
      {
        answer: result,
        stored: context.s3.object(BUCKET, `default/${packageId}/${DOCUMENT_ID}.pdf`),
        archiveStatus: await archiveStatusOf(context, packageId),
      },
      { bytes, sha256: await documentSha256(spec) },
    );
    return failure === undefined
      ? { documentMib, ok: true, seconds, peakRssBytes, loadedRssBytes: archive.loadedRssBytes }
      : { documentMib, ok: false, failure };
  } catch (error) {
    return { documentMib, ok: false, failure: firstLine(error) };
  } finally {
    await archive?.stop();
  }
};

/**
 * Archives one package of one document per run, for each size, each run in a fresh process that
 * loads the archive's bundle, against the bench's DynamoDB Local (a table of its own, not through
 * the request counter) and simulator, a counting S3 stand-in and an EventBridge emulator of its
 * own, so that nothing here reaches the other phases' counts.
 */
export const runArchivePhase = async (
  services: ArchiveServices,
  options: ArchivePhaseOptions,
  step: (message: string) => void,
): Promise<ArchiveRun[]> => {
  const tableName = `bench-archive-${randomUUID()}`;
  await createTable(services.admin, tableName);
  const s3 = await startS3StandIn({ buckets: [BUCKET], storage: 'count' });
  const eventBridge = await startEventBridgeEmulator();
  try {
    if (options.cpus) {
      await pinToCpus(process.pid, options.cpus.services);
      if (services.dynamoDbLocalPid !== undefined) {
        await pinToCpus(services.dynamoDbLocalPid, options.cpus.services);
      }
    }
    const env = {
      ...AWS_ENV,
      ...functionEnvironment({
        tableName,
        dynamoDbEndpoint: services.dynamoDbLocal.endpoint,
        signingHubUrl: services.simulator.url,
        credentials: DEFAULT_SIMULATOR_CREDENTIALS,
        // A stall of the body on a busy machine is not what this measures.
        signingHubTimeoutMs: 60_000,
        eventBusName: 'bench-archive',
        eventBridgeEndpoint: eventBridge.url,
        archiveBucket: BUCKET,
        s3Endpoint: s3.endpoint,
      }),
      // As deployed: Powertools' log level and the EMF metrics.
      ...benchFunctionEnv('archive'),
    };
    const packages = new DynamoDbPackageStore(new DynamoDbTable(services.admin, tableName));
    const context: RunContext = { services, options, env, tableName, packages, s3 };
    const runs: ArchiveRun[] = [];
    let packageId = FIRST_PACKAGE_ID;
    for (const { documentMib, runs: count } of options.sizes ?? ARCHIVE_SIZES) {
      for (let run = 1; run <= count; run += 1) {
        step(`archive: ${documentMib} MiB, run ${run} of ${count}`);
        runs.push(await archiveOnce(context, documentMib, packageId));
        packageId += 1;
      }
    }
    return runs;
  } finally {
    await eventBridge.close();
    await s3.close();
    await services.admin
      .send(new DeleteTableCommand({ TableName: tableName }))
      .catch(() => undefined);
  }
};
