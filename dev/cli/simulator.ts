import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseSigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { parseCommand, UsageError, usageLine } from '../../ops/command-line.ts';
import { runCommand } from '../../ops/run-command.ts';
import { requireSimulator, simulatorRequest, tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';

const COMMAND = {
  name: 'simulator',
  synopsis: 'package <packageId> --signers a@x.com,b@x.com | callback query|webhook|report|off',
  summary:
    'Drives the SigningHub simulator that npm start runs: makes a package, or sets how it calls back.',
  words: {
    'package <packageId>': 'create a package in the simulator with --signers, in signing order',
    'callback <mode>': 'how the simulator calls the callback URL: query, webhook, report, or off',
  },
  options: { signers: { type: 'string' } },
  flags: { signers: "the package's signers, comma-separated (with package)" },
  examples: [
    'npm run simulator -- package 1001 --signers alice@example.com,bob@example.com',
    'npm run simulator -- callback webhook',
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
  if (signers.length === 0) throw new UserError(`--signers needs at least one email; ${USAGE}`);
  for (const email of signers) {
    const parsed = parseSigningEvent(JSON.stringify({ packageId: 1, signerEmail: email }));
    if (!parsed.ok) throw new UserError(`"${email}" is not an email address; ${USAGE}`);
  }
  return signers;
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

const createPackage = async (
  state: StackState,
  idText: string | undefined,
  signerList?: string,
) => {
  const packageId = idText === undefined ? undefined : parsePackageId(idText);
  if (packageId === undefined) throw new UserError(`a package id is a positive integer; ${USAGE}`);
  const signers = signersOf(signerList);
  requireSimulator(state);
  const { status, body } = await simulatorRequest(state, 'POST', '/_simulator/packages', {
    packageId,
    signers,
  });
  if (status !== 201) {
    const message = typeof body === 'object' && body && 'Message' in body ? body.Message : status;
    throw new UserError(`the simulator refused the package (${String(message)}); ${USAGE}`);
  }
  const lines = [
    `package ${packageId} created in the simulator with the signers ${signers.join(', ')} ` +
      '(in this order); when the last one has finished, the simulator calls the callback',
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

const setCallback = async (state: StackState, mode: string | undefined) => {
  if (mode === 'off') {
    await simulatorRequest(state, 'PUT', '/_simulator/callback');
    process.stdout.write(
      'the simulator no longer calls the callback (the reconciler still confirms packages)\n',
    );
    return;
  }
  const form = mode === undefined ? undefined : CALLBACK_MODES[mode];
  if (mode === undefined || form === undefined) {
    throw new UserError(`the callback mode is query, webhook, report or off; ${USAGE}`);
  }
  const { status } = await simulatorRequest(state, 'PUT', '/_simulator/callback', {
    url: state.callbackUrl,
    mode,
  });
  if (status !== 200) throw new UserError(`the simulator refused the callback mode (${status})`);
  process.stdout.write(`the simulator now calls back with ${mode}: ${form}\n`);
};

const main = async (): Promise<number> => {
  const parsed = parseCommand(COMMAND);
  const [command, argument, ...rest] = parsed.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected words "${rest.join(' ')}"; ${USAGE}`);
  if (command === 'package') {
    const state = await requireRunningStack(process.env);
    await createPackage(state, argument, parsed.values.signers);
    return 0;
  }
  if (command === 'callback' && parsed.values.signers === undefined) {
    const state = await requireRunningStack(process.env);
    requireSimulator(state);
    await setCallback(state, argument);
    return 0;
  }
  throw new UsageError(
    `${command === undefined ? 'say package or callback' : `unknown command "${command}"`}; ${USAGE}`,
  );
};

runCommand(main);
