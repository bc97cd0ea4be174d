import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventBridgeEmulator, ReceivedEvent } from '../harness/eventbridge-emulator.ts';
import { importHandler } from '../harness/handler-modules.ts';
import { lambdaContext } from '../harness/lambda-context.ts';
import { startS3StandIn } from '../harness/s3-stand-in.ts';
import {
  ARCHIVE_REQUESTED_DETAIL_TYPE,
  COMPLETED_DETAIL_TYPE,
  OPERATOR_SOURCE,
  STACK_EVENT_SOURCE,
} from '../lib/archive/archive-request.ts';
import { SERVICE } from '../ops/operator-target.ts';
import { startArchiveQueue } from './archive-queue.ts';
import { shownPath } from './banner.ts';
import {
  ARCHIVE_BUCKET,
  EVENT_BUS_NAME,
  type LocalSettings,
  REGION,
  STAGE,
} from './local-settings.ts';
import type { StartUp } from './start-up.ts';

/*
 * The archive on the local stack: the S3 stand-in (harness/s3-stand-in.ts) keeps the bucket as a
 * folder a user can look into, and the events the stack's ArchiveRule routes to ArchiveQueue (a
 * package's completion, an operator's `npm run archive` request) go from the EventBridge
 * emulator to the archive function, run in this process like publish, through a small queue
 * (dev/archive-queue.ts). Why a stand-in and not moto: moto is a Python install that npm start
 * must not need.
 */

/** What the state file and the banner tell of the archive. */
export interface LocalArchiveState {
  readonly bucket: string;
  /** The stand-in's endpoint: AWS_ENDPOINT_URL_S3 (path-style). */
  readonly endpoint: string;
  /** The bucket's objects, `<folder>/<tenant>/<packageId>/<documentId>.pdf`. */
  readonly folder: string;
  /** ArchiveDeadLetterQueue's messages, one JSON line each. */
  readonly deadLetterFile: string;
}

/** The function's timeout on a stage (serverless.yml's archiveTimeoutSeconds default). */
const TIMEOUT_MS = 900_000;
/** How long a stop waits for an archive under way: a large one is cut off (and redone next time). */
const STOP_WAIT_MS = 10_000;
/** How soon an event on the emulator reaches the queue. */
const ROUTE_EVERY_MS = 200;

/** What the stack's ArchiveRule puts on ArchiveQueue, and the operator's requests. */
const routed = (event: ReceivedEvent): boolean =>
  event.busName === EVENT_BUS_NAME &&
  ((event.source === STACK_EVENT_SOURCE && event.detailType === COMPLETED_DETAIL_TYPE) ||
    (event.source === OPERATOR_SOURCE && event.detailType === ARCHIVE_REQUESTED_DETAIL_TYPE));

/**
 * Starts the S3 stand-in, then the archive function (whose settings must be in process.env by
 * now: it reads them once, when imported) behind its queue, fed from the emulator.
 */
export const startLocalArchive = async (
  settings: LocalSettings,
  step: StartUp['step'],
  eventBridge: EventBridgeEmulator,
  show: (line: string) => void,
): Promise<LocalArchiveState> => {
  const folder = join(settings.dir, 's3');
  const standIn = await step(
    () =>
      startS3StandIn({
        buckets: [ARCHIVE_BUCKET],
        storage: { folder },
        port: settings.ports.s3,
        log: (line) => show(`  [s3] ${line}`),
      }),
    (started) => () => started.close(),
  );
  const { handler } = await step(() => importHandler('archive'));
  const functionName = `${SERVICE}-${STAGE}-archive`;
  const deadLetterFile = join(settings.dir, 'archive-dead-letters.jsonl');
  await step(
    async () => {
      const queue = startArchiveQueue({
        handle: (event) =>
          handler(
            event,
            lambdaContext(TIMEOUT_MS, {
              functionName,
              region: REGION,
              accountId: '000000000000',
              logStreamName: 'local',
            }),
          ),
        deadLetterFile,
        deadLetterShown: shownPath(deadLetterFile),
        queueArn: `arn:aws:sqs:${REGION}:000000000000:${functionName}`,
        region: REGION,
        onLine: show,
      });
      let routedUpTo = eventBridge.events.length;
      const route = setInterval(() => {
        for (const event of eventBridge.events.slice(routedUpTo)) {
          // The message body: the event as EventBridge delivers it to a rule's SQS target.
          if (routed(event)) queue.send(JSON.stringify(event.delivered));
        }
        routedUpTo = eventBridge.events.length;
      }, ROUTE_EVERY_MS);
      route.unref();
      return { route, queue };
    },
    ({ route, queue }) =>
      async () => {
        clearInterval(route);
        await Promise.race([queue.stop(), delay(STOP_WAIT_MS)]);
      },
  );
  return {
    bucket: ARCHIVE_BUCKET,
    endpoint: standIn.endpoint,
    folder: join(folder, ARCHIVE_BUCKET),
    deadLetterFile,
  };
};
