import { setTimeout as delay } from 'node:timers/promises';
import { queueNameOf } from './archive-destinations.ts';
import { parseCommand, positiveIntegerOf, UsageError, usageLine } from './command-line.ts';
import { TARGET_FLAGS, TARGET_OPTIONS, TARGET_USAGE, targetOf } from './operator-target.ts';
import { type MovedMessage, type RedriveResult, redrive } from './redrive.ts';
import { REDRIVE_QUEUES, type RedriveQueue, redriveQueueOf } from './redrive-queues.ts';
import type { Streams } from './run-command.ts';
import type { TargetOpener } from './target.ts';

const COMMAND = {
  name: 'redrive',
  synopsis: `[--queue <name>] [--max N] ${TARGET_USAGE}`,
  summary:
    "Moves the messages in a deployed stage's dead-letter queue back to their queue (the signing " +
    "events', or the archive requests'); each leaves the dead-letter queue only once it is on " +
    'the queue.',
  options: { queue: { type: 'string' }, max: { type: 'string' }, ...TARGET_OPTIONS },
  flags: {
    queue:
      'signing-events (the default: SigningEventsDeadLetterQueue back to SigningEventsQueue) or ' +
      'archive (ArchiveDeadLetterQueue back to ArchiveQueue)',
    max: 'move at most N messages (one by one)',
    ...TARGET_FLAGS,
  },
  examples: [
    'npm run redrive -- --stage prod',
    'npm run redrive -- --queue archive --stage prod',
    'npm run redrive -- --stage prod --max 10 --json',
  ],
  positionals: false,
} as const;
const USAGE = usageLine(COMMAND);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const describeMoved = (
  moved: MovedMessage,
  queue: RedriveQueue = REDRIVE_QUEUES['signing-events'],
): string =>
  `moved message ${moved.messageId} (${queue.describe(moved)}) to the queue as ${moved.queueMessageId}`;

/** The queue `--queue` names (the signing events' without it); another name is a UsageError. */
const queueOption = (name: string | undefined): RedriveQueue => {
  const queue = redriveQueueOf(name ?? 'signing-events');
  if (queue) return queue;
  throw new UsageError(
    `--queue "${name}" is not a queue a redrive serves: signing-events (the default) or archive; ${USAGE}`,
  );
};

/** The summary line of a redrive that moved something, or found nothing to move. */
const summaryLine = (
  result: RedriveResult,
  queues: { readonly from: string; readonly to: string; readonly where: string },
  left: { readonly max: number | undefined; readonly count: number } | undefined,
): string => {
  const { from, to, where } = queues;
  if (result.method === 'none') {
    return `the dead-letter queue ${from} of ${where} is empty: nothing to redrive`;
  }
  const how = result.method === 'move-task' ? " (SQS's message move task)" : '';
  const rest = left
    ? `; stopped at --max ${left.max}, about ${plural(left.count, 'message')} left (run it again to move more)`
    : '';
  return `redrive: moved ${plural(result.moved, 'message')} from ${from} to ${to} of ${where}${how}${rest}`;
};

/** `npm run redrive`: the dead-letter queue's messages back to the queue. */
export const redriveCommand = async (
  args: readonly string[],
  open: TargetOpener,
  { stdout, stderr }: Streams,
  sleep: () => Promise<void> = () => delay(2_000),
): Promise<number> => {
  const { values } = parseCommand(COMMAND, args);
  const target = targetOf(values, USAGE);
  const queue = queueOption(values.queue);
  const max = values.max === undefined ? undefined : positiveIntegerOf(values.max);
  if (values.max !== undefined && max === undefined) {
    throw new UsageError(`--max takes a positive integer; ${USAGE}`);
  }
  const json = values.json === true;
  // With --json, standard output holds the JSON only.
  const say = (line: string) => (json ? stderr : stdout).write(`${line}\n`);
  return open(
    target,
    async (opened) => {
      const { port, queueUrl, deadLetterQueueUrl } = opened.queues(queue.name);
      const result = await redrive(port, {
        max,
        queue,
        onMoved: (moved) => say(describeMoved(moved, queue)),
        onNote: say,
        sleep,
      });
      const left =
        result.method === 'one-by-one' && result.stoppedAtMax ? await port.count() : undefined;
      const leftCount = left ? left.visible + left.inFlight : 0;
      if (json) {
        const summary = {
          stage: opened.about.stage,
          region: opened.about.region,
          queue: queue.name,
          from: deadLetterQueueUrl,
          to: queueUrl,
          method: result.method,
          moved: result.moved,
          ...(result.method === 'one-by-one' ? { messages: result.messages } : {}),
          ...(left ? { left: leftCount } : {}),
        };
        stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      }
      const queues = {
        from: queueNameOf(deadLetterQueueUrl),
        to: queueNameOf(queueUrl),
        where: opened.where,
      };
      say(summaryLine(result, queues, left ? { max, count: leftCount } : undefined));
      return 0;
    },
    queue.name === 'archive' ? { archiveQueues: true } : { queues: true },
  );
};
