import type { DeadLetter, RedrivePort } from './redrive-port.ts';
import { type MessageAbout, REDRIVE_QUEUES, type RedriveQueue } from './redrive-queues.ts';
import { UserError } from './user-error.ts';

/** A message moved, and what its body says (a signing event's package and signer, say). */
export interface MovedMessage extends MessageAbout {
  readonly messageId: string;
  /** Its id on the queue. */
  readonly queueMessageId: string;
}

export interface RedriveOptions {
  /** Move at most this many, one by one. */
  readonly max?: number | undefined;
  readonly onMoved: (moved: MovedMessage) => void;
  /** A line about the way it goes (the move task, the fallback). */
  readonly onNote: (line: string) => void;
  /** Between two looks at a move task's progress. */
  readonly sleep: () => Promise<void>;
  /** The queue it serves (the signing events' by default). */
  readonly queue?: RedriveQueue;
}

export type RedriveResult =
  | { readonly method: 'none'; readonly moved: 0 }
  | { readonly method: 'move-task'; readonly moved: number }
  | {
      readonly method: 'one-by-one';
      readonly moved: number;
      readonly messages: readonly MovedMessage[];
      /** True when --max stopped it with messages possibly left. */
      readonly stoppedAtMax: boolean;
    };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);

/** The queue a redrive serves: the signing events' unless the options name another. */
const queueOf = (options: RedriveOptions): RedriveQueue =>
  options.queue ?? REDRIVE_QUEUES['signing-events'];

const movedOf = (
  message: DeadLetter,
  queueMessageId: string,
  queue: RedriveQueue,
): MovedMessage => ({
  messageId: message.messageId,
  queueMessageId,
  ...queue.about(message.body),
});

/** Makes the messages not handled yet visible again at once; a failure only delays them. */
const releaseAll = async <A>(port: RedrivePort<A>, messages: readonly DeadLetter<A>[]) => {
  for (const message of messages) await port.release(message).catch(() => undefined);
};

/**
 * Moves messages itself: each is put on the queue first and deleted from the dead-letter queue
 * only once SQS holds it there, so a redrive that stops half-way loses nothing (at worst, a
 * message whose delete failed is on both, and finish takes the duplicate as one).
 */
const moveOneByOne = async <A>(
  port: RedrivePort<A>,
  options: RedriveOptions,
): Promise<RedriveResult> => {
  const queue = queueOf(options);
  const moved: MovedMessage[] = [];
  const ours = new Set<string>();
  const max = options.max ?? Number.POSITIVE_INFINITY;
  while (moved.length < max) {
    const batch = await port.receive(Math.min(10, max - moved.length));
    if (batch.length === 0) break;
    for (const [index, message] of batch.entries()) {
      const rest = batch.slice(index);
      if (ours.has(message.messageId)) {
        await releaseAll(port, rest);
        throw new UserError(
          `message ${message.messageId} came back to the dead-letter queue during this redrive ` +
            `(after ${plural(moved.length, 'message')} moved): its cause is not fixed yet; fix it ` +
            `and run ${queue.again} again`,
        );
      }
      let queueMessageId: string;
      try {
        queueMessageId = await port.send(message);
      } catch (error) {
        await releaseAll(port, rest);
        throw new UserError(
          `redrive stopped after moving ${plural(moved.length, 'message')}: message ` +
            `${message.messageId} could not be put on the queue (${describeError(error)}); it ` +
            `stays in the dead-letter queue, as do the rest: fix that and run ${queue.again} again`,
          { cause: error },
        );
      }
      ours.add(queueMessageId);
      try {
        await port.delete(message);
      } catch (error) {
        await releaseAll(port, batch.slice(index + 1));
        throw new UserError(
          `redrive stopped after moving ${plural(moved.length + 1, 'message')}: message ` +
            `${message.messageId} is on the queue (as ${queueMessageId}) but could not be ` +
            `deleted from the dead-letter queue (${describeError(error)}); a later redrive ` +
            `moves it again and ${queue.consumer} takes the duplicate as one`,
          { cause: error },
        );
      }
      const entry = movedOf(message, queueMessageId, queue);
      moved.push(entry);
      options.onMoved(entry);
    }
  }
  return {
    method: 'one-by-one',
    moved: moved.length,
    messages: moved,
    stoppedAtMax: moved.length >= max,
  };
};

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** SQS moves them (StartMessageMoveTask); this waits for the task to end. */
const followMoveTask = async <A>(
  port: RedrivePort<A>,
  options: RedriveOptions,
): Promise<RedriveResult> => {
  for (;;) {
    const progress = await port.moveTaskProgress();
    if (FINISHED.has(progress.status)) {
      if (progress.status !== 'COMPLETED') {
        throw new UserError(
          `the message move task ended ${progress.status} after moving ` +
            `${plural(progress.moved, 'message')}${progress.failureReason ? ` (${progress.failureReason})` : ''}: ` +
            'what it did not move stays in the dead-letter queue; run ' +
            `${queueOf(options).again} again`,
        );
      }
      return { method: 'move-task', moved: progress.moved };
    }
    await options.sleep();
  }
};

/**
 * Moves the dead-letter queue's messages back to the queue: with SQS's message move task where
 * SQS offers it (and no --max), otherwise one by one.
 */
export const redrive = async <A>(
  port: RedrivePort<A>,
  options: RedriveOptions,
): Promise<RedriveResult> => {
  const { visible, inFlight } = await port.count();
  if (options.max === undefined) {
    if (visible === 0 && inFlight > 0) {
      throw new UserError(
        `the dead-letter queue shows no message but ${plural(inFlight, 'message')} in flight ` +
          '(someone is receiving them, or a redrive is running): try again in a few minutes',
      );
    }
    if (visible === 0) return { method: 'none', moved: 0 };
    const start = await port.startMoveTask();
    if (start === 'started') {
      options.onNote(
        `started SQS's message move task for about ${plural(visible, 'message')}; waiting for it`,
      );
      return followMoveTask(port, options);
    }
    options.onNote(`${start.notOffered}: moving the messages one by one`);
  }
  const result = await moveOneByOne(port, options);
  return result.moved === 0 ? { method: 'none', moved: 0 } : result;
};
