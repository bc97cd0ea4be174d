import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { EventBridgeEmulator, ReceivedEvent } from '../harness/eventbridge-emulator.ts';
import { createStreamPump, type StreamConsumer } from '../harness/stream-pump.ts';
import type { PublishedEvent } from '../ops/stack-state.ts';

export interface CompletionEventRelayOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  readonly eventBridge: EventBridgeEmulator;
  /** The real publish handler, run in this process. */
  readonly publish: StreamConsumer;
  /** JSON lines of every event published, kept with the table between runs. */
  readonly eventsFile: string;
  /** How far the stream was delivered, per stream, so a restart does not publish again. */
  readonly checkpointFile: string;
  readonly onEvent: (event: PublishedEvent) => void;
}

export interface CompletionEventRelay {
  stop(): Promise<void>;
}

type Checkpoints = Record<string, string>;

/** How soon an event put on the emulator by another command lands in the events file. */
const RECORD_EVERY_MS = 200;

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';

const isAfter = (sequence: string, checkpoint: string | undefined): boolean => {
  if (checkpoint === undefined) return true;
  try {
    return BigInt(sequence) > BigInt(checkpoint);
  } catch {
    return sequence.padStart(40, '0') > checkpoint.padStart(40, '0');
  }
};

const readCheckpoints = async (path: string): Promise<Checkpoints> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Checkpoints) : {};
  } catch {
    return {};
  }
};

const published = (event: ReceivedEvent): PublishedEvent => ({
  id: event.id,
  busName: event.busName,
  source: event.source,
  detailType: event.detailType,
  detail: event.detail,
  at: new Date(event.at).toISOString(),
});

/**
 * The table's stream fed to the publish handler (as Lambda's event source mapping would), with a
 * checkpoint like the mapping's: DynamoDB Local keeps stream records across restarts.
 */
export const startCompletionEventRelay = async (
  options: CompletionEventRelayOptions,
): Promise<CompletionEventRelay> => {
  const checkpoints = await readCheckpoints(options.checkpointFile);
  let recorded = options.eventBridge.events.length;

  const recordEvents = async () => {
    const fresh = options.eventBridge.events.slice(recorded).map(published);
    recorded += fresh.length;
    if (fresh.length === 0) return;
    await appendFile(
      options.eventsFile,
      fresh.map((event) => `${JSON.stringify(event)}\n`).join(''),
    );
    for (const event of fresh) options.onEvent(event);
  };

  const consume: StreamConsumer = async (event) => {
    const records = event.Records.filter((record) =>
      isAfter(sequenceOf(record), checkpoints[record.eventSourceARN ?? '']),
    );
    if (records.length === 0) return undefined;
    const answer = await options.publish({ Records: records });
    await recordEvents();
    const failed = answer?.batchItemFailures[0]?.itemIdentifier;
    const failedAt = records.findIndex((record) => sequenceOf(record) === failed);
    const delivered = failed === undefined ? records : records.slice(0, Math.max(0, failedAt));
    const last = delivered.at(-1);
    if (last?.eventSourceARN) {
      checkpoints[last.eventSourceARN] = sequenceOf(last);
      await writeFile(options.checkpointFile, JSON.stringify(checkpoints));
    }
    return answer;
  };

  const pump = await createStreamPump(
    options.dynamoDb,
    options.endpoint,
    options.tableName,
    consume,
  );
  await pump.drain();
  pump.start();
  // Events put on the emulator by others (npm run republish) are recorded too, soon after.
  const others = setInterval(() => {
    if (options.eventBridge.events.length > recorded) recordEvents().catch(() => undefined);
  }, RECORD_EVERY_MS);
  others.unref();
  return {
    stop: async () => {
      clearInterval(others);
      // What the functions wrote last is still published before the stack goes.
      await pump.drain().catch(() => undefined);
      await pump.stop();
      await recordEvents().catch(() => undefined);
    },
  };
};
