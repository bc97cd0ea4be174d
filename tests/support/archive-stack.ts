import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ArchiveModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { archiveRequestBody } from '../../lib/archive/archive-request.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import { type ArchiveS3, startArchiveS3 } from './archive-s3.ts';
import { sqsEvent, sqsRecord } from './factories.ts';
import { type FunctionStack, startFunctionStack } from './function-stack.ts';
import { itemAt, type PlainItem } from './table-items.ts';

export const ARCHIVE_BUCKET = 'signinghub-finish-test-archive';
const MiB = 1024 * 1024;
/** Just over 5 MiB: stored as a multipart upload of two parts. */
export const MULTIPART_BYTES = 5 * MiB + 1;

export interface ArchiveStack extends FunctionStack<ArchiveModule> {
  readonly s3: ArchiveS3;
  /** One invocation, with `remainingMs` left on its clock. */
  invoke(event: SQSEvent, remainingMs?: number): Promise<SQSBatchResponse>;
}

/**
 * The real archive handler (functions/archive.ts) against a fresh table in DynamoDB Local, the
 * SigningHub simulator and S3 in moto (a bucket with versioning, as the stack makes it), each on
 * loopback; `extraEnv` after the test environment.
 */
export const startArchiveStack = async (
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<ArchiveStack> => {
  const s3 = await startArchiveS3();
  try {
    await s3.createBucket(ARCHIVE_BUCKET);
    const stack = await startFunctionStack(
      'archive',
      { ARCHIVE_BUCKET, AWS_ENDPOINT_URL_S3: s3.endpoint, ...extraEnv },
      simulatorOptions,
    );
    return {
      ...stack,
      s3,
      invoke: (event, remainingMs = 120_000) =>
        stack.module.handler(
          event,
          lambdaContext(remainingMs, { functionName: 'signinghub-finish-test-archive' }),
        ),
      stop: async () => {
        await stack.stop();
        await s3.stop();
      },
    };
  } catch (error) {
    await s3.stop();
    throw error;
  }
};

/** The SigningPackageCompleted event as the rule puts it on ArchiveQueue (its detail as publish sends it). */
export const completedEventBody = (packageId: number, tenant = DEFAULT_TENANT): string =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'SigningPackageCompleted',
    source: 'signinghub.finish',
    account: '123456789012',
    time: '2026-12-01T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      packageId,
      status: 'COMPLETED',
      at: '2026-12-01T10:00:00.000Z',
      ...(tenant === DEFAULT_TENANT ? {} : { tenant }),
    },
  });

/** What the archive tests do to a stack: make packages, send requests, read what was stored. */
export const archiveHelpers = (stack: ArchiveStack) => {
  const packagesOf = (tenant: string) => new DynamoDbPackageStore(stack.table.table, tenant);
  return {
    /** The package as the table has it once its completion was confirmed. */
    completed: async (
      packageId: number,
      tenant = DEFAULT_TENANT,
      status = 'COMPLETED' as const,
    ) => {
      await packagesOf(tenant).recordConfirmation(
        packageId,
        { status, workflowStatus: status },
        new Date(),
      );
    },
    /** A message of its completion event. */
    eventFor: (packageId: number, tenant = DEFAULT_TENANT): SQSRecord =>
      sqsRecord(completedEventBody(packageId, tenant)),
    /** A message of an operator's request. */
    requestFor: (packageId: number, tenant = DEFAULT_TENANT, force = false): SQSRecord =>
      sqsRecord(archiveRequestBody({ packageId, tenant, force })),
    archive: (...records: SQSRecord[]) => stack.invoke(sqsEvent(...records)),
    item: (packageId: number, tenant = DEFAULT_TENANT): Promise<PlainItem | undefined> =>
      itemAt(
        stack.table,
        tenant === DEFAULT_TENANT
          ? `PACKAGE#${packageId}`
          : `TENANT#${tenant}#PACKAGE#${packageId}`,
        'PACKAGE',
      ),
    /** The objects stored for the package's document, read back from moto. */
    stored: (packageId: number, documentId: number, tenant = DEFAULT_TENANT) =>
      stack.s3.read(ARCHIVE_BUCKET, `${tenant}/${packageId}/${documentId}.pdf`),
    /** The simulator's downloads of a package's documents (200s only), document ids in order. */
    downloads: (packageId: number, tenant = DEFAULT_TENANT) =>
      stack.simulator
        .enterprise(tenant)
        .downloads.filter((download) => download.packageId === packageId)
        .map((download) => download.documentId),
    /** What the simulator's document holds: its SHA-256, from the same generator. */
    sha256Of: (packageId: number, documentId: number, bytes: number, tenant = DEFAULT_TENANT) =>
      documentSha256({ tenant, packageId, documentId, bytes }),
  };
};
