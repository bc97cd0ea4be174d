import { setTimeout as delay } from 'node:timers/promises';
import { parseCommand, positiveIntegerOf, UsageError, usageLine } from './command-line.ts';
import { TARGET_FLAGS, TARGET_OPTIONS, TARGET_USAGE, targetOf } from './operator-target.ts';
import { type MovedMessage, type RedriveResult, redrive } from './redrive.ts';
import type { Streams } from './run-command.ts';
import type { TargetOpener } from './target.ts';

const COMMAND = {
  name: 'redrive',
  synopsis: `[--max N] ${TARGET_USAGE}`,
  summary:
    "Moves the signing events in a deployed stage's dead-letter queue back to its queue; each " +
    'leaves the dead-letter queue only once it is on the queue.',
  options: { max: { type: 'string' }, ...TARGET_OPTIONS },
  flags: { max: 'move at most N messages (one by one)', ...TARGET_FLAGS },
  examples: ['npm run redrive -- --stage prod', 'npm run redrive -- --stage prod --max 10 --json'],
  positionals: false,
} as const;
const USAGE = usageLine(COMMAND);

/** A queue URL's last part: the queue's name. */
const queueName = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const describeMoved = (moved: MovedMessage): string => {
  const what =
    moved.packageId === undefined
      ? 'not a signing event'
      : `package ${moved.packageId}, ${moved.signerEmail ?? 'the account itself'}`;
  return `moved message ${moved.messageId} (${what}) to the queue as ${moved.queueMessageId}`;
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
      const { port, queueUrl, deadLetterQueueUrl } = opened.queues();
      const result = await redrive(port, {
        max,
        onMoved: (moved) => say(describeMoved(moved)),
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
        from: queueName(deadLetterQueueUrl),
        to: queueName(queueUrl),
        where: opened.where,
      };
      say(summaryLine(result, queues, left ? { max, count: leftCount } : undefined));
      return 0;
    },
    { queues: true },
  );
};
