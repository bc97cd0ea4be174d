import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseSigningEvent, type SigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { DynamoDbFinishStore } from '../../lib/store/dynamodb-finish-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { FinishItem } from '../../lib/store/items.ts';
import { loadPackageReports } from '../../ops/package-report.ts';
import { runCommand } from '../../ops/run-command.ts';
import { simulatorRequest, tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';
import { LOCAL_AWS } from '../local-settings.ts';

const USAGE = 'usage: npm run event -- <packageId> [signerEmail]';

/** One message as the SQS event source hands it to the function. */
const sqsEvent = (state: StackState, body: string): SQSEvent => {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `local-${randomUUID()}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${state.region}:000000000000:signinghub-finish-${state.stage}-signing-events`,
        awsRegion: state.region,
      },
    ],
  };
};

const parseEvent = (args: readonly string[]): SigningEvent => {
  const [packageId, signerEmail, ...rest] = args;
  if (packageId === undefined || rest.length > 0 || packageId.startsWith('-')) {
    throw new UserError(USAGE);
  }
  if (parsePackageId(packageId) === undefined) {
    throw new UserError(`"${packageId}" is not a package id (a positive integer); ${USAGE}`);
  }
  const parsed = parseSigningEvent(JSON.stringify({ packageId, signerEmail }));
  if (!parsed.ok) throw new UserError(`${parsed.reason}; ${USAGE}`);
  return parsed.event;
};

interface SimulatedPackage {
  readonly workflowStatus: string;
  readonly signers: readonly { readonly email: string; readonly processStatus: string }[];
}

/** With the simulator, an unknown package or signer is the user's slip, caught before sending. */
const checkWithSimulator = async (state: StackState, event: SigningEvent) => {
  if (!state.simulatorUrl) return;
  const { status, body } = await simulatorRequest(
    state,
    'GET',
    `/_simulator/packages/${event.packageId}`,
  );
  const signerHint = event.signerEmail ?? 'alice@example.com,bob@example.com';
  if (status === 404) {
    throw new UserError(
      `package ${event.packageId} is not in the simulator: create it first with ` +
        `npm run simulator -- package ${event.packageId} --signers ${signerHint}`,
    );
  }
  const simulated = body as SimulatedPackage;
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

/** After the last signer, the simulator calls back; a moment's wait shows the loop closing. */
const followCompletion = async (
  state: StackState,
  packageId: number,
): Promise<string | undefined> => {
  if (!state.simulatorUrl) return undefined;
  const deadline = Date.now() + 8_000;
  let report = (await loadPackageReports(state, { packageId, limit: 1 })).reports[0];
  if (report?.simulator?.workflowStatus !== 'COMPLETED') return undefined;
  while (
    Date.now() < deadline &&
    (report?.package?.status !== 'COMPLETED' || !report.events.length)
  ) {
    await delay(250);
    report = (await loadPackageReports(state, { packageId, limit: 1 })).reports[0];
  }
  const callback = report?.simulator?.callbacks.at(-1);
  const event = report?.events.at(-1);
  if (report?.package?.status !== 'COMPLETED' || !event) {
    return `package ${packageId}: all signers finished; the callback has not confirmed it yet (follow it with npm run status -- ${packageId})`;
  }
  return (
    `package ${packageId}: COMPLETED: the simulator called the callback ` +
    `(${callback ? `${callback.mode} → ${callback.status ?? callback.error}` : 'unknown'}), ` +
    `the callback confirmed it with SigningHub, and ${event.detailType} was published`
  );
};

const main = async (): Promise<number> => {
  const event = parseEvent(process.argv.slice(2));
  const state = await requireRunningStack(process.env);
  await checkWithSimulator(state, event);
  const key = { packageId: event.packageId, signer: event.signerEmail };
  const who = `package ${event.packageId}, ${event.signerEmail ? `signer ${event.signerEmail}` : 'the account itself'}`;
  const client = tableClient(state);
  const lambda = new LambdaClient({
    endpoint: state.lambdaEndpoint,
    ...LOCAL_AWS.clientConfig,
    maxAttempts: 1,
  });
  try {
    const store = new DynamoDbFinishStore(new DynamoDbTable(client, state.tableName));
    const before = await store.getFinish(key);
    const body = JSON.stringify({
      packageId: event.packageId,
      ...(event.signerEmail ? { signerEmail: event.signerEmail } : {}),
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
    });
    const started = Date.now();
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: state.finishFunctionName,
        Payload: Buffer.from(JSON.stringify(sqsEvent(state, body))),
      }),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const payload: unknown = answer.Payload
      ? JSON.parse(Buffer.from(answer.Payload).toString('utf8') || 'null')
      : null;
    if (
      answer.FunctionError ||
      (payload && typeof payload === 'object' && 'errorMessage' in payload)
    ) {
      const message =
        payload && typeof payload === 'object' && 'errorMessage' in payload
          ? String(payload.errorMessage)
          : answer.FunctionError;
      throw new UserError(
        `the finish function failed (${message}): its log is in the npm start terminal`,
      );
    }
    const failures = (payload as SQSBatchResponse | null)?.batchItemFailures ?? [];
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
      const completion = await followCompletion(state, event.packageId);
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
        `${failures.length > 0 ? 'SQS would deliver it again later: ' : ''}run the same command to deliver it again\n`,
    );
    return 1;
  } finally {
    lambda.destroy();
    client.destroy();
  }
};

runCommand(main);
