import { setTimeout as delay } from 'node:timers/promises';
import { parseCommand, positiveIntegerOf, UsageError, usageLine } from '../command-line.ts';
import { onStage } from '../on-stage.ts';
import { TARGET_FLAGS, TARGET_OPTIONS, TARGET_USAGE, targetOf } from '../operator-target.ts';
import { type MovedMessage, redrive } from '../redrive.ts';
import { runCommand } from '../run-command.ts';
import { sqsRedrivePort } from '../sqs-redrive.ts';
import { UserError } from '../user-error.ts';

const COMMAND = {
  name: 'redrive',
  synopsis: `[--max N] ${TARGET_USAGE}`,
  summary:
    "Moves the signing events in a deployed stage's dead-letter queue back to its queue; each " +
    'leaves the dead-letter queue only once it is on the queue.',
  options: { ...TARGET_OPTIONS, max: { type: 'string' } },
  flags: { ...TARGET_FLAGS, max: 'move at most N messages (one by one)' },
  examples: ['npm run redrive -- --stage prod', 'npm run redrive -- --stage prod --max 10 --json'],
  positionals: false,
} as const;
const USAGE = usageLine(COMMAND);

/** A queue URL's last part: the queue's name. */
const queueName = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const describeMoved = (moved: MovedMessage): string => {
  const what =
    moved.packageId === undefined
      ? 'not a signing event'
      : `package ${moved.packageId}, ${moved.signerEmail ?? 'the account itself'}`;
  return `moved message ${moved.messageId} (${what}) to the queue as ${moved.queueMessageId}`;
};

const main = async (): Promise<number> => {
  const { values } = parseCommand(COMMAND);
  const target = targetOf(values, USAGE);
  const max = values.max === undefined ? undefined : positiveIntegerOf(values.max);
  if (values.max !== undefined && max === undefined) {
    throw new UsageError(`--max takes a positive integer; ${USAGE}`);
  }
  if (target.kind === 'local') {
    throw new UserError(
      'the local stack has no dead-letter queue: npm start hands each signing event straight ' +
        'to finish (npm run event), so none is dead-lettered; add --stage <stage> to redrive a ' +
        "deployed stage's",
    );
  }
  const json = values.json === true;
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  return onStage(target, process.env, async ({ stack, clients, where }) => {
    const port = sqsRedrivePort(clients.sqs(), stack);
    const result = await redrive(port, {
      max,
      onMoved: (moved) => say(describeMoved(moved)),
      onNote: say,
      sleep: () => delay(2_000),
    });
    const left =
      result.method === 'one-by-one' && result.stoppedAtMax ? await port.count() : undefined;
    if (json) {
      const summary = {
        stage: stack.stage,
        region: stack.region,
        from: stack.deadLetterQueueUrl,
        to: stack.queueUrl,
        method: result.method,
        moved: result.moved,
        ...(result.method === 'one-by-one' ? { messages: result.messages } : {}),
        ...(left ? { left: left.visible + left.inFlight } : {}),
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    const from = queueName(stack.deadLetterQueueUrl);
    const to = queueName(stack.queueUrl);
    if (result.method === 'none') {
      say(`the dead-letter queue ${from} of ${where} is empty: nothing to redrive`);
      return 0;
    }
    const how = result.method === 'move-task' ? " (SQS's message move task)" : '';
    const rest = left
      ? `; stopped at --max ${max}, about ${plural(left.visible + left.inFlight, 'message')} left (run it again to move more)`
      : '';
    say(
      `redrive: moved ${plural(result.moved, 'message')} from ${from} to ${to} of ${where}${how}${rest}`,
    );
    return 0;
  });
};

runCommand(main);
