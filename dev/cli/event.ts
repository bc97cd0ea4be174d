import { setTimeout as delay } from 'node:timers/promises';
import { parseSigningEvent, type SigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { FinishItem } from '../../lib/store/items.ts';
import { parseCommand, UsageError, usageLine } from '../../ops/command-line.ts';
import {
  packageName,
  TENANT_FLAG,
  TENANT_OPTION,
  tenantOption,
} from '../../ops/operator-target.ts';
import { loadPackageReports, type PackageReport } from '../../ops/package-report.ts';
import { runCommand } from '../../ops/run-command.ts';
import { tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';
import { completionOutcome } from '../event-outcome.ts';
import { invokeFinish } from '../invoke-finish.ts';
import { stackTenant } from '../local-tenants.ts';
import { simulatedPackage, simulatorCallbackMode, tenantArgs } from '../simulator-client.ts';

const COMMAND = {
  name: 'event',
  synopsis: '<packageId> [signerEmail] [--tenant <id>]',
  summary:
    "Hands one signing event to the local stack's finish function, as its queue would, and says\n" +
    'what came of it: the finish request and, after the last signer, the callback and the\n' +
    'completion event (only what this event changed). With --tenant, the event names that\n' +
    "tenant, and finish reaches that tenant's SigningHub with the settings of its secret.",
  words: {
    '<packageId>': 'the SigningHub package (document) id, a positive integer',
    '[signerEmail]': 'the signer who has signed; without it, finish is sent as the account itself',
  },
  options: TENANT_OPTION,
  flags: TENANT_FLAG,
  examples: [
    'npm run event -- 1001 alice@example.com',
    'npm run event -- 1001',
    'npm run event -- 1001 carol@example.com --tenant acme',
  ],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);
/** How long the command follows the callback and the completion event after the last signer. */
const FOLLOW_MS = 20_000;

const parseEvent = (args: readonly string[], tenant: string): SigningEvent => {
  const [packageId, signerEmail, ...rest] = args;
  if (packageId === undefined) throw new UsageError(`a package id is missing; ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`unexpected words "${rest.join(' ')}"; ${USAGE}`);
  if (parsePackageId(packageId) === undefined) {
    throw new UsageError(`"${packageId}" is not a package id (a positive integer); ${USAGE}`);
  }
  const parsed = parseSigningEvent(JSON.stringify({ packageId, signerEmail, tenant }));
  if (!parsed.ok) throw new UsageError(`${parsed.reason}; ${USAGE}`);
  return parsed.event;
};

/** With the simulator, an unknown package or signer is the user's slip, caught before sending. */
const checkWithSimulator = async (state: StackState, event: SigningEvent) => {
  if (!state.simulatorUrl) return;
  const { packageId, tenant } = event;
  const simulated = await simulatedPackage(state, packageId, tenant);
  if (!simulated) {
    const signerHint = event.signerEmail ?? 'alice@example.com,bob@example.com';
    throw new UserError(
      `${packageName(packageId, tenant)} is not in the simulator: create it first with ` +
        `npm run simulator -- package ${packageId} --signers ${signerHint}${tenantArgs(tenant)}`,
    );
  }
  const signer = event.signerEmail;
  if (signer && !simulated.signers.some((s) => s.email.toLowerCase() === signer)) {
    const signers = simulated.signers.map((s) => s.email).join(', ') || 'none';
    throw new UserError(
      `${signer} is not a signer of ${packageName(packageId, tenant)} in the simulator ` +
        `(signers: ${signers}): use one of them, or create the package again with --signers`,
    );
  }
};

const attemptsText = (n: number) => `${n} finish request${n === 1 ? '' : 's'}`;
const errorText = (item: FinishItem): string =>
  item.lastError
    ? `${item.lastError.httpStatus === undefined ? '' : `${item.lastError.httpStatus} `}${item.lastError.message}`
    : 'no error recorded';

const reportOf = async (state: StackState, { packageId, tenant }: SigningEvent) =>
  (await loadPackageReports(state, { packageId, tenant, limit: 1 })).reports[0];

/** What this event set going once its finish succeeded, compared with the package before it. */
const followCompletion = async (
  state: StackState,
  event: SigningEvent,
  before: PackageReport | undefined,
): Promise<string | undefined> => {
  const { packageId, tenant } = event;
  const callbacksOn = state.simulatorUrl
    ? (await simulatorCallbackMode(state, tenant)) !== undefined
    : true;
  const deadline = Date.now() + FOLLOW_MS;
  const outcomeNow = async () =>
    completionOutcome(packageId, before, await reportOf(state, event), callbacksOn, tenant);
  let outcome = await outcomeNow();
  while (!outcome.settled && Date.now() < deadline) {
    await delay(250);
    outcome = await outcomeNow();
  }
  return outcome.line;
};

const main = async (): Promise<number> => {
  const { values, positionals } = parseCommand(COMMAND);
  const event = parseEvent(positionals, tenantOption(values.tenant, USAGE));
  const state = await requireRunningStack(process.env);
  stackTenant(state, event.tenant);
  await checkWithSimulator(state, event);
  const key = { packageId: event.packageId, signer: event.signerEmail };
  const who = `${packageName(event.packageId, event.tenant)}, ${event.signerEmail ? `signer ${event.signerEmail}` : 'the account itself'}`;
  const client = tableClient(state);
  try {
    const store = new DynamoDbFinishStore(new DynamoDbTable(client, state.tableName), event.tenant);
    const before = await store.getFinish(key);
    const packageBefore = await reportOf(state, event);
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
      const completion = await followCompletion(state, event, packageBefore);
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
