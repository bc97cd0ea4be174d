import { setTimeout as delay } from 'node:timers/promises';
import type { SQSEvent } from 'aws-lambda';
import type { FinishModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { sqsRecord } from '../support/factories.ts';
import type { ReceivedMessage, SqsQueue } from './sqs-emulation.ts';

/** One warm execution environment: a separately loaded handler module. */
export interface FunctionInstance {
  readonly name: string;
  readonly handler: FinishModule['handler'];
}

export interface MappingStats {
  invocations: number;
  /** Invocations that threw: every message of the batch comes back. */
  failedInvocations: number;
  /** Invocations still running at the Lambda deadline: treated as killed. */
  timedOut: number;
  /** Answers naming a message that was not in the batch: Lambda then retries the whole batch. */
  invalidResponses: number;
  /** Messages named in batchItemFailures. */
  itemFailures: number;
  /** Pair halves delivered to a second instance at the same moment as the first. */
  concurrentDeliveries: number;
  errors: Record<string, number>;
}

export interface EventSourceMapping {
  start(): void;
  /** Resolves once the queue is empty (deleted or dead-lettered) and no invocation runs. */
  drained(): Promise<void>;
  stop(): Promise<void>;
  readonly stats: Readonly<MappingStats>;
}

export interface EventSourceMappingOptions {
  readonly queue: SqsQueue;
  readonly instances: readonly FunctionInstance[];
  readonly batchSize: number;
  /** The function's timeout: the context's clock, and when a still-running invocation is killed. */
  readonly lambdaTimeoutMs: number;
  /** A message left the queue because an invocation succeeded for it. */
  readonly onDeleted: (message: ReceivedMessage) => void;
  readonly pollIntervalMs?: number;
  /** The function the context names (its log lines' function_name); finish's by default. */
  readonly functionName?: string;
}

type Failed = ReadonlySet<string> | 'all';

/**
 * Lambda's SQS event source mapping with ReportBatchItemFailures: polls batches, gives each to an
 * idle instance, deletes what the answer does not name, and leaves the rest (or the whole batch
 * when the invocation fails) to come back after the visibility timeout.
 */
export const createEventSourceMapping = (
  options: EventSourceMappingOptions,
): EventSourceMapping => {
  const { queue, instances, batchSize, lambdaTimeoutMs, onDeleted } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 20;
  const stats: MappingStats = {
    invocations: 0,
    failedInvocations: 0,
    timedOut: 0,
    invalidResponses: 0,
    itemFailures: 0,
    concurrentDeliveries: 0,
    errors: {},
  };
  const busy = new Set<FunctionInstance>();
  const running = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let turn = 0;

  const idleInstances = (): FunctionInstance[] => {
    turn += 1;
    const rotated = [...instances.slice(turn % instances.length), ...instances];
    return [...new Set(rotated)].filter((instance) => !busy.has(instance));
  };

  const answerOf = async (
    instance: FunctionInstance,
    batch: readonly ReceivedMessage[],
  ): Promise<Failed> => {
    const event: SQSEvent = {
      Records: batch.map((message) =>
        sqsRecord(message.body, {
          messageId: message.messageId,
          receiptHandle: message.receiptHandle,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: 'AIDASOAKPRODUCER',
            ApproximateFirstReceiveTimestamp: String(message.sentAt),
          },
        }),
      ),
    };
    const killed = new AbortController();
    try {
      const answer = await Promise.race([
        instance.handler(
          event,
          lambdaContext(
            lambdaTimeoutMs,
            options.functionName === undefined ? {} : { functionName: options.functionName },
          ),
        ),
        delay(lambdaTimeoutMs, 'killed' as const, { signal: killed.signal }),
      ]);
      if (answer === 'killed') {
        stats.timedOut += 1;
        return 'all';
      }
      const ids = new Set(batch.map((message) => message.messageId));
      const failures = answer?.batchItemFailures ?? [];
      if (failures.some(({ itemIdentifier }) => !itemIdentifier || !ids.has(itemIdentifier))) {
        stats.invalidResponses += 1;
        return 'all';
      }
      stats.itemFailures += failures.length;
      return new Set(failures.map(({ itemIdentifier }) => itemIdentifier));
    } catch (error) {
      stats.failedInvocations += 1;
      const name = error instanceof Error ? error.name : 'unknown';
      stats.errors[name] = (stats.errors[name] ?? 0) + 1;
      return 'all';
    } finally {
      killed.abort();
    }
  };

  const invoke = (instance: FunctionInstance, batch: readonly ReceivedMessage[]): void => {
    busy.add(instance);
    stats.invocations += 1;
    const run = answerOf(instance, batch)
      .then((failed) => {
        for (const message of batch) {
          if (failed === 'all' || failed.has(message.messageId)) continue;
          if (queue.delete(message.receiptHandle)) onDeleted(message);
        }
      })
      .finally(() => {
        busy.delete(instance);
        running.delete(run);
      });
    running.add(run);
  };

  const poll = async (): Promise<void> => {
    while (!stopping) {
      const [first, ...others] = idleInstances();
      if (!first) {
        await Promise.race(running);
        continue;
      }
      const batch = queue.receive(batchSize);
      if (batch.length === 0) {
        await delay(Math.min(pollIntervalMs, queue.nextVisibleInMs() ?? pollIntervalMs));
        continue;
      }
      const partners = batch.flatMap(({ messageId }) => queue.partnerOf(messageId) ?? []);
      if (partners.length === 0 || instances.length < 2) {
        invoke(first, batch);
        continue;
      }
      // A pair's halves go to two instances at the same moment, so their claims race.
      busy.add(first);
      let second = others[0];
      while (!second && !stopping) {
        await Promise.race(running);
        second = idleInstances().find((instance) => instance !== first);
      }
      busy.delete(first);
      const partnerBatch = second ? queue.receiveExactly(partners) : [];
      invoke(first, batch);
      if (second && partnerBatch.length > 0) {
        stats.concurrentDeliveries += partnerBatch.length;
        invoke(second, partnerBatch);
      }
    }
  };

  return {
    start: () => {
      if (instances.length === 0) throw new Error('the mapping needs at least one instance');
      loop ??= poll();
    },
    drained: async () => {
      while (queue.size() > 0 || running.size > 0) await delay(50);
    },
    stop: async () => {
      stopping = true;
      await loop;
      await Promise.allSettled([...running]);
    },
    stats,
  };
};
