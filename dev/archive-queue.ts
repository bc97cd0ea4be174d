import { createHash, randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseArchiveMessage } from '../lib/archive/archive-request.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';

/*
 * ArchiveQueue for `npm start`, in its process: what the stack's queue and its event source
 * mapping do for the archive function, small. A message is the event as EventBridge delivers it
 * to the queue; the handler gets it as an SQS record, one at a time per package (a package's
 * messages never run side by side; other packages' do, a few at once). A message the handler
 * hands back (a batch item failure, or a throw) is received again after a delay that doubles, as
 * the visibility timeout would let it; after its fifth receive it is a dead letter, kept as a
 * JSON line in a file with one line in the terminal that says so, as ArchiveDeadLetterQueue
 * keeps it on a stage.
 */

export interface ArchiveQueueOptions {
  /** The archive handler, run in this process as Lambda runs it for the queue. */
  readonly handle: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  /** Where dead letters go, one JSON line each. */
  readonly deadLetterFile: string;
  /** The dead-letter file as the user would type its path, for the terminal. */
  readonly deadLetterShown?: string;
  /** The queue's ARN in the records. */
  readonly queueArn: string;
  readonly region: string;
  /** How many receives before a message is a dead letter: the redrive policy's 5. */
  readonly maxReceives?: number;
  /** The wait before the second receive; doubled before each one after. */
  readonly retryDelayMs?: number;
  /** How many packages are archived at once. */
  readonly concurrency?: number;
  /** A line for the terminal. */
  readonly onLine: (line: string) => void;
}

export interface LocalArchiveQueue {
  /** Puts a message on the queue: an event as EventBridge delivers it to a target. */
  send(body: string): void;
  /** Resolves once no message waits or runs. */
  drained(): Promise<void>;
  /** Receives nothing more; waits for the handler runs under way. */
  stop(): Promise<void>;
}

interface Message {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  /** One package's messages run one at a time. */
  readonly group: string;
  /** How the terminal names it. */
  readonly label: string;
  receives: number;
  firstReceivedAt: number | undefined;
  availableAt: number;
}

/** The package a message is for, to keep its runs apart and name it. */
const packageOf = (body: string, id: string): { group: string; label: string } => {
  const parsed = parseArchiveMessage(body);
  if (!parsed.ok) return { group: id, label: `message ${id} (${parsed.reason})` };
  const { packageId, tenant } = parsed.request;
  const of = tenant === DEFAULT_TENANT ? '' : ` of tenant ${tenant}`;
  return { group: `${tenant}/${packageId}`, label: `package ${packageId}${of}` };
};

const recordOf = (message: Message, options: ArchiveQueueOptions): SQSRecord => ({
  messageId: message.id,
  receiptHandle: `${message.id}/${message.receives}`,
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receives),
    SentTimestamp: String(message.sentAt),
    SenderId: 'events.amazonaws.com',
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
  },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(message.body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: options.queueArn,
  awsRegion: options.region,
});

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export const startArchiveQueue = (options: ArchiveQueueOptions): LocalArchiveQueue => {
  const maxReceives = options.maxReceives ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const concurrency = options.concurrency ?? 2;
  const waiting: Message[] = [];
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let idle: (() => void)[] = [];

  /** Handed back: again after the delay, or a dead letter once it has had its receives. */
  const handBack = async (message: Message, reason: string): Promise<void> => {
    if (message.receives < maxReceives) {
      const delay = retryDelayMs * 2 ** (message.receives - 1);
      message.availableAt = Date.now() + delay;
      waiting.push(message);
      options.onLine(
        `  [archive] ${message.label}: handed back (receive ${message.receives} of ` +
          `${maxReceives}), again in ${(delay / 1000).toFixed(0)} s: ${reason}`,
      );
      return;
    }
    const letter = {
      messageId: message.id,
      body: message.body,
      receives: message.receives,
      sentAt: new Date(message.sentAt).toISOString(),
      deadLetteredAt: new Date().toISOString(),
      reason,
    };
    await appendFile(options.deadLetterFile, `${JSON.stringify(letter)}\n`);
    options.onLine(
      `  [archive] ${message.label}: a dead letter after ${message.receives} receives (${reason}); ` +
        `kept in ${options.deadLetterShown ?? options.deadLetterFile}`,
    );
  };

  const receive = async (message: Message): Promise<void> => {
    message.receives += 1;
    message.firstReceivedAt ??= Date.now();
    let failed: string | undefined;
    try {
      const answer = await options.handle({ Records: [recordOf(message, options)] });
      const handedBack = answer?.batchItemFailures.some((f) => f.itemIdentifier === message.id);
      if (handedBack) failed = 'the archive function handed it back';
    } catch (error) {
      failed = `the archive function failed: ${describe(error)}`;
    }
    if (failed !== undefined) await handBack(message, failed);
  };

  const pump = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    const now = Date.now();
    waiting.sort((a, b) => a.availableAt - b.availableAt);
    for (const message of [...waiting]) {
      if (running.size >= concurrency) break;
      if (message.availableAt > now || running.has(message.group)) continue;
      waiting.splice(waiting.indexOf(message), 1);
      const run = receive(message)
        .catch((error: unknown) =>
          options.onLine(`  [archive] ${message.label}: ${describe(error)}`),
        )
        .finally(() => {
          running.delete(message.group);
          pump();
        });
      running.set(message.group, run);
    }
    const next = waiting.find((message) => !running.has(message.group))?.availableAt;
    if (next !== undefined && running.size < concurrency) {
      timer = setTimeout(pump, Math.max(0, next - now));
    }
    if (waiting.length === 0 && running.size === 0) {
      for (const resolve of idle.splice(0)) resolve();
    }
  };

  return {
    send: (body) => {
      const id = randomUUID();
      const now = Date.now();
      waiting.push({
        id,
        body,
        sentAt: now,
        ...packageOf(body, id),
        receives: 0,
        firstReceivedAt: undefined,
        availableAt: now,
      });
      pump();
    },
    drained: () =>
      waiting.length === 0 && running.size === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            idle.push(resolve);
          }),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all(running.values());
      for (const resolve of idle.splice(0)) resolve();
      idle = [];
    },
  };
};
