import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLikeFunctions } from '../../bench/artifacts.ts';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { type MeasuredHandler, startMeasuredHandler } from '../../harness/measured-handler.ts';
import { type S3StandIn, startS3StandIn } from '../../harness/s3-stand-in.ts';
import { documentSha256 } from '../../harness/simulator/document-bytes.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { sqsEvent, sqsRecord } from '../support/factories.ts';
import { testEnvironment } from '../support/function-stack.ts';
import { itemAt } from '../support/table-items.ts';

// Bounded memory is a correctness property of the archive: a document larger than the function's
// memory (256 MB) must be archived. So the real handler, in a process of its own, archives ONE
// document several times larger than a bound on that process's peak resident set size (a heap
// limit would not do: Buffers live outside the heap), streaming it from the simulator (whose
// generator makes the bytes as they are sent) into the counting S3 stand-in on a real socket
// (which keeps only sizes and hashes), with the table in DynamoDB Local. The function runs as
// Lambda loads it, bundled by esbuild with serverless.yml's settings. The figures are in the
// README (Quick start): keep them in step.
//
// What the child measured on a 2-core machine shared with other work: about 90 MiB once the
// bundle had loaded, and a peak of 190-200 MiB whatever the size from 64 MiB to 256 MiB, 218 MiB
// for 1 GiB: a working set (the Upload's parts in flight, the heap, the allocator's slack) that
// does not grow with the document. The bound leaves half as much again above that.

const MIB = 1024 * 1024;
/** The document: 1.25 GiB, five times the function's 256 MB and four times the bound. */
const DOCUMENT_BYTES = 1280 * MIB;
/** The child's peak RSS must stay under this, Node itself and the SDK's modules included. */
const PEAK_RSS_BOUND = 320 * MIB;
/** S3's smallest part, which the function uploads in: a larger one would cost memory. */
const PART_BYTES = 5 * MIB;
const PACKAGE_ID = 770_001;
const DOCUMENT_ID = 7;
const BUCKET = 'archive-memory-test';

let table: TestTable;
let simulator: SigningHubSimulator;
let s3: S3StandIn;
let eventBridge: EventBridgeEmulator;
let archive: MeasuredHandler;
let work: string;

beforeAll(async () => {
  table = await createTestTable();
  simulator = await startSimulator();
  s3 = await startS3StandIn({ buckets: [BUCKET], storage: 'count' });
  eventBridge = await startEventBridgeEmulator();
  simulator.setDocuments(PACKAGE_ID, [{ documentId: DOCUMENT_ID, bytes: DOCUMENT_BYTES }]);
  await table.packages.recordConfirmation(
    PACKAGE_ID,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    new Date(),
  );
  // The function as Lambda loads it: bundled by esbuild as serverless-esbuild bundles it.
  work = await mkdtemp(join(tmpdir(), 'archive-memory-'));
  const { bundlePath } = await bundleLikeFunctions(
    'archive',
    new URL('../../functions/archive.ts', import.meta.url),
    work,
  );
  archive = await startMeasuredHandler({
    file: bundlePath,
    functionName: 'signinghub-finish-test-archive',
    env: testEnvironment(
      table,
      simulator.url,
      { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      {
        archiveBucket: BUCKET,
        s3Endpoint: s3.endpoint,
        eventBusName: 'memory-test',
        eventBridgeEndpoint: eventBridge.url,
        // A stall of the body on a busy machine is not what this test is about.
        signingHubTimeoutMs: 60_000,
        logLevel: 'WARN',
      },
    ),
  });
}, 60_000);

afterAll(async () => {
  await archive?.stop();
  await s3?.close();
  await simulator?.close();
  await eventBridge?.close();
  await table?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the archive function’s memory', () => {
  it('archives a 1.25 GiB document with a peak RSS under 320 MiB, the stored bytes the document’s own', async () => {
    const completed = JSON.stringify({
      version: '0',
      id: randomUUID(),
      'detail-type': 'SigningPackageCompleted',
      source: 'signinghub.finish',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: { packageId: PACKAGE_ID, status: 'COMPLETED', at: new Date().toISOString() },
    });

    const started = performance.now();
    const { result, peakRssBytes } = await archive.invoke<SQSBatchResponse>(
      sqsEvent(sqsRecord(completed)),
    );
    const seconds = (performance.now() - started) / 1000;

    const key = `default/${PACKAGE_ID}/${DOCUMENT_ID}.pdf`;
    const expected = await documentSha256({
      tenant: 'default',
      packageId: PACKAGE_ID,
      documentId: DOCUMENT_ID,
      bytes: DOCUMENT_BYTES,
    });
    const figures =
      `document ${DOCUMENT_BYTES / MIB} MiB in ${seconds.toFixed(0)} s; the function's peak RSS ` +
      `${(peakRssBytes / MIB).toFixed(0)} MiB (${(archive.loadedRssBytes / MIB).toFixed(0)} MiB ` +
      `once loaded), bound ${PEAK_RSS_BOUND / MIB} MiB`;
    process.stdout.write(`archive memory: ${figures}\n`);
    expect(result, archive.logs()).toEqual({ batchItemFailures: [] });
    const stored = s3.object(BUCKET, key);
    expect(stored).toMatchObject({ bytes: DOCUMENT_BYTES, sha256: expected });
    expect(stored?.partSizes.every((size) => size === PART_BYTES)).toBe(true);
    expect(DOCUMENT_BYTES).toBeGreaterThanOrEqual(4 * PEAK_RSS_BOUND);
    expect(peakRssBytes, figures).toBeLessThan(PEAK_RSS_BOUND);
    const item = await itemAt(table, `PACKAGE#${PACKAGE_ID}`, 'PACKAGE');
    expect(item).toMatchObject({
      archiveStatus: 'ARCHIVED',
      documents: [{ documentId: DOCUMENT_ID, key, bytes: DOCUMENT_BYTES, sha256: expected }],
    });
    // A busy machine: 1.25 GiB through three processes took 30 s on 2 cores shared with other work.
  }, 600_000);
});
