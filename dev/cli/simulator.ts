import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseSigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { parseCommand, UsageError, usageLine } from '../../ops/command-line.ts';
import { loadPackageReports } from '../../ops/package-report.ts';
import { runCommand } from '../../ops/run-command.ts';
import { requireSimulator, simulatorRequest, tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';
import { callbackTryText } from '../callback-try.ts';
import { CALLBACKS_ON, callbacksOffNote, simulatorCallbackMode } from '../simulator-client.ts';
import { readFailurePlan, scriptFailure } from '../simulator-failures.ts';

const COMMAND = {
  name: 'simulator',
  synopsis:
    'package <packageId> --signers a@x.com,b@x.com | callback query|webhook|report|off | ' +
    'fail <packageId> <status>|timeout|drop|off [--times N] | callback-url [packageId]',
  summary:
    'Drives the SigningHub simulator that npm start runs: makes a package, sets how it calls\n' +
    'back, makes finish requests fail, and shows how to call the callback by hand.',
  words: {
    'package <packageId>': 'create a package in the simulator with --signers, in signing order',
    'callback <mode>': 'how the simulator calls the callback URL: query, webhook, report, or off',
    'fail <packageId> <answer>':
      'make the next finish request(s) fail: 403 or 404 (final), 500 or 503 (retried), timeout ' +
      '(no answer), drop (connection cut); off takes the failures away',
    'callback-url [packageId]':
      'print the callback URL with its secret and three curl lines that call it',
  },
  options: { signers: { type: 'string' }, times: { type: 'string' } },
  flags: {
    signers: "the package's signers, comma-separated (with package)",
    times: 'how many finish requests in a row fail (with fail; default 1)',
  },
  examples: [
    'npm run simulator -- package 1001 --signers alice@example.com,bob@example.com',
    'npm run simulator -- callback webhook',
    'npm run simulator -- fail 1001 403',
    'npm run simulator -- fail 1001 500 --times 4',
    'npm run simulator -- fail 1001 timeout',
    'npm run simulator -- callback-url 1001',
  ],
  positionals: true,
} as const;
const USAGE = usageLine(COMMAND);

const CALLBACK_MODES: Record<string, string> = {
  query: 'GET <callback URL>?document_id=<id>&user_email=<last signer>',
  webhook: 'POST <callback URL> with a JSON body {"package_id", "package_status", ...}',
  report: 'HEAD <callback URL>, then POST an XML workflow completion report',
};

const signersOf = (text: string | undefined): string[] => {
  const signers = (text ?? '')
    .split(',')
    .map((email) => email.trim())
    .filter((email) => email !== '');
  if (signers.length === 0) throw new UsageError(`--signers needs at least one email; ${USAGE}`);
  for (const email of signers) {
    const parsed = parseSigningEvent(JSON.stringify({ packageId: 1, signerEmail: email }));
    if (!parsed.ok) throw new UsageError(`"${email}" is not an email address; ${USAGE}`);
  }
  return signers;
};

const packageIdOf = (idText: string | undefined): number => {
  const packageId = idText === undefined ? undefined : parsePackageId(idText);
  if (packageId !== undefined) return packageId;
  throw new UsageError(
    `${idText === undefined ? 'a package id is missing' : `"${idText}" is not a package id (a positive integer)`}; ${USAGE}`,
  );
};

/** Items already in the table for the id: a finish already settled will not be sent again. */
const settledFinishes = async (state: StackState, packageId: number): Promise<number> => {
  const client = tableClient(state);
  try {
    const { Count: count } = await client.send(
      new QueryCommand({
        TableName: state.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :finish)',
        ExpressionAttributeValues: {
          ':pk': { S: `PACKAGE#${packageId}` },
          ':finish': { S: 'FINISH#' },
        },
        Select: 'COUNT',
      }),
    );
    return count ?? 0;
  } finally {
    client.destroy();
  }
};

const createPackage = async (state: StackState, packageId: number, signers: string[]) => {
  requireSimulator(state);
  const { status, body } = await simulatorRequest(state, 'POST', '/_simulator/packages', {
    packageId,
    signers,
  });
  if (status !== 201) {
    const message = typeof body === 'object' && body && 'Message' in body ? body.Message : status;
    throw new UserError(`the simulator refused the package (${String(message)}); ${USAGE}`);
  }
  const mode = await simulatorCallbackMode(state);
  const lines = [
    `package ${packageId} created in the simulator with the signers ${signers.join(', ')} ` +
      `(in this order); when the last one has finished, ${
        mode === undefined
          ? callbacksOffNote(packageId)
          : `the simulator calls the callback (${mode})`
      }`,
  ];
  const settled = await settledFinishes(state, packageId);
  if (settled > 0) {
    lines.push(
      `note: the table already has ${settled} finish item${settled === 1 ? '' : 's'} for package ` +
        `${packageId} from earlier: a settled finish is not sent again, so a new id shows the whole loop`,
    );
  }
  lines.push(`next: npm run event -- ${packageId} ${signers[0]}`);
  process.stdout.write(`${lines.join('\n')}\n`);
};

const callbackModeOf = (mode: string | undefined): string => {
  if (mode !== undefined && (mode === 'off' || CALLBACK_MODES[mode] !== undefined)) return mode;
  throw new UsageError(`the callback mode is query, webhook, report or off; ${USAGE}`);
};

const setCallback = async (state: StackState, mode: string) => {
  if (mode === 'off') {
    await simulatorRequest(state, 'PUT', '/_simulator/callback');
    process.stdout.write(
      'the simulator no longer calls the callback: npm run reconcile -- <packageId> confirms a ' +
        `finished package with SigningHub instead (${CALLBACKS_ON} turns callbacks back on)\n`,
    );
    return;
  }
  const { status } = await simulatorRequest(state, 'PUT', '/_simulator/callback', {
    url: state.callbackUrl,
    mode,
  });
  if (status !== 200) throw new UserError(`the simulator refused the callback mode (${status})`);
  process.stdout.write(`the simulator now calls back with ${mode}: ${CALLBACK_MODES[mode]}\n`);
};

/** The package for the curl lines: the one given, else the newest the table knows. */
const showCallbackUrl = async (state: StackState, packageId: number | undefined) => {
  const newest = async () =>
    (await loadPackageReports(state, { limit: 1 })).reports[0]?.packageId ?? 1001;
  process.stdout.write(callbackTryText(state.callbackUrl, packageId ?? (await newest())));
};

/** Each word checks its own arguments before the stack is asked anything. */
const main = async (): Promise<number> => {
  const parsed = parseCommand(COMMAND);
  const { signers, times } = parsed.values;
  const [command, argument, ...rest] = parsed.positionals;
  const allowed = command === 'fail' ? 1 : 0;
  if (rest.length > allowed) {
    throw new UsageError(`unexpected words "${rest.slice(allowed).join(' ')}"; ${USAGE}`);
  }
  if (signers !== undefined && command !== 'package') {
    throw new UsageError(`--signers goes with package; ${USAGE}`);
  }
  if (times !== undefined && command !== 'fail') {
    throw new UsageError(`--times goes with fail; ${USAGE}`);
  }
  const running = () => requireRunningStack(process.env);
  if (command === 'package') {
    const packageId = packageIdOf(argument);
    await createPackage(await running(), packageId, signersOf(signers));
    return 0;
  }
  if (command === 'callback') {
    const mode = callbackModeOf(argument);
    const state = await running();
    requireSimulator(state);
    await setCallback(state, mode);
    return 0;
  }
  if (command === 'fail') {
    const plan = readFailurePlan(packageIdOf(argument), rest[0], times, USAGE);
    const state = await running();
    requireSimulator(state);
    process.stdout.write(`${await scriptFailure(state, plan)}\n`);
    return 0;
  }
  if (command === 'callback-url') {
    const packageId = argument === undefined ? undefined : packageIdOf(argument);
    await showCallbackUrl(await running(), packageId);
    return 0;
  }
  throw new UsageError(
    `${command === undefined ? 'say package, callback, fail or callback-url' : `unknown command "${command}"`}; ${USAGE}`,
  );
};

runCommand(main);
