import { setTimeout as delay } from 'node:timers/promises';
import { parseSigningEvent, type SigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { FinishItem } from '../../lib/store/items.ts';
import { parseCommand, UsageError, usageLine } from '../../ops/command-line.ts';
import { loadPackageReports, type PackageReport } from '../../ops/package-report.ts';
import { runCommand } from '../../ops/run-command.ts';
import { tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';
import { completionOutcome } from '../event-outcome.ts';
import { invokeFinish } from '../invoke-finish.ts';
import { simulatedPackage, simulatorCallbackMode } from '../simulator-client.ts';

const COMMAND = {
  name: 'event',
  synopsis: '<packageId> [signerEmail]',
  summary:
    "Hands one signing event to the local stack's finish function, as its queue would, and says\n" +
    'what came of it: the finish request and, after the last signer, the callback and the\n' +
    'completion event (only what this event changed).',
  words: {
    '<packageId>': 'the SigningHub package (document) id, a positive integer',
    '[signerEmail]': 'the signer who has signed; without it, finish is sent as the account itself',
  },
  options: {},
  flags: {},
  examples: ['npm run event -- 1001 alice@example.com', 'npm run event -- 1001'],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);
/** How long the command follows the callback and the completion event after the last signer. */
const FOLLOW_MS = 20_000;

const parseEvent = (args: readonly string[]): SigningEvent => {
  const [packageId, signerEmail, ...rest] = args;
  if (packageId === undefined) throw new UsageError(`a package id is missing; ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`unexpected words "${rest.join(' ')}"; ${USAGE}`);
  if (parsePackageId(packageId) === undefined) {
    throw new UsageError(`"${packageId}" is not a package id (a positive integer); ${USAGE}`);
  }
  const parsed = parseSigningEvent(JSON.stringify({ packageId, signerEmail }));
  if (!parsed.ok) throw new UsageError(`${parsed.reason}; ${USAGE}`);
  return parsed.event;
};

/** With the simulator, an unknown package or signer is the user's slip, caught before sending. */
const checkWithSimulator = async (state: StackState, event: SigningEvent) => {
  if (!state.simulatorUrl) return;
  const simulated = await simulatedPackage(state, event.packageId);
  if (!simulated) {
    const signerHint = event.signerEmail ?? 'alice@example.com,bob@example.com';
    throw new UserError(
      `package ${event.packageId} is not in the simulator: create it first with ` +
        `npm run simulator -- package ${event.packageId} --signers ${signerHint}`,
    );
  }
  const signer = event.signerEmail;
  if (signer && !simulated.signers.some((s) => s.email.toLowerCase() === signer)) {
    const signers = simulated.signers.map((s) => s.email).join(', ') || 'none';
    throw new UserError(
      `${signer} is not a signer of package ${event.packageId} in the simulator ` +
        `(signers: ${signers}): use one of them, or create the package again with --signers`,
    );
  }
};

const attemptsText = (n: number) => `${n} finish request${n === 1 ? '' : 's'}`;
const errorText = (item: FinishItem): string =>
  item.lastError
    ? `${item.lastError.httpStatus === undefined ? '' : `${item.lastError.httpStatus} `}${item.lastError.message}`
    : 'no error recorded';

const reportOf = async (state: StackState, packageId: number) =>
  (await loadPackageReports(state, { packageId, limit: 1 })).reports[0];

/** What this event set going once its finish succeeded, compared with the package before it. */
const followCompletion = async (
  state: StackState,
  packageId: number,
  before: PackageReport | undefined,
): Promise<string | undefined> => {
  const callbacksOn = state.simulatorUrl
    ? (await simulatorCallbackMode(state)) !== undefined
    : true;
  const deadline = Date.now() + FOLLOW_MS;
  let outcome = completionOutcome(packageId, before, await reportOf(state, packageId), callbacksOn);
  while (!outcome.settled && Date.now() < deadline) {
    await delay(250);
    outcome = completionOutcome(packageId, before, await reportOf(state, packageId), callbacksOn);
  }
  return outcome.line;
};

const main = async (): Promise<number> => {
  const event = parseEvent(parseCommand(COMMAND).positionals);
  const state = await requireRunningStack(process.env);
  await checkWithSimulator(state, event);
  const key = { packageId: event.packageId, signer: event.signerEmail };
  const who = `package ${event.packageId}, ${event.signerEmail ? `signer ${event.signerEmail}` : 'the account itself'}`;
  const client = tableClient(state);
  try {
    const store = new DynamoDbFinishStore(new DynamoDbTable(client, state.tableName));
    const before = await store.getFinish(key);
    const packageBefore = await reportOf(state, event.packageId);
    const { seconds, handedBack } = await invokeFinish(state, event);
    const item = await store.getFinish(key);
    if (!item)
      throw new UserError(`${who}: no finish item was written; see the npm start terminal`);
    const unchanged = before && before.updatedAt === item.updatedAt;
    if (unchanged && (item.status === 'SUCCEEDED' || item.status === 'FAILED')) {
      process.stdout.write(
        `${who}: already ${item.status} (since ${item.finishedAt ?? item.updatedAt}), so this ` +
          `duplicate sent nothing to SigningHub${item.status === 'FAILED' ? '; a new package id tries again' : ''}\n`,
      );
      return item.status === 'SUCCEEDED' ? 0 : 1;
    }
    if (item.status === 'SUCCEEDED') {
      process.stdout.write(
        `${who}: SUCCEEDED after ${attemptsText(item.attempts)} (${seconds} s)\n`,
      );
      const completion = await followCompletion(state, event.packageId, packageBefore);
      if (completion) process.stdout.write(`${completion}\n`);
      return 0;
    }
    if (item.status === 'FAILED') {
      process.stdout.write(
        `${who}: FAILED for good, SigningHub answered ${errorText(item)} (${attemptsText(item.attempts)}); ` +
          'duplicates will not send it again\n',
      );
      return 1;
    }
    process.stdout.write(
      `${who}: ${item.status} after ${attemptsText(item.attempts)}, last error ${errorText(item)}; ` +
        `${handedBack ? 'SQS would deliver it again later: ' : ''}run the same command to deliver it again\n`,
    );
    return 1;
  } finally {
    client.destroy();
  }
};

runCommand(main);
