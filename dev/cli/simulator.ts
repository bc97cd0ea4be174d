import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseSigningEvent } from '../../lib/finish/signing-event.ts';
import { parsePackageId } from '../../lib/package-id.ts';
import { packageKey } from '../../lib/store/keys.ts';
import { parseCommand, UsageError, usageLine } from '../../ops/command-line.ts';
import { packageName, TENANT_OPTION, tenantOption } from '../../ops/operator-target.ts';
import { loadPackageReports } from '../../ops/package-report.ts';
import { runCommand } from '../../ops/run-command.ts';
import { requireSimulator, simulatorRequest, tableClient } from '../../ops/stack-client.ts';
import { requireRunningStack, type StackState } from '../../ops/stack-state.ts';
import { UserError } from '../../ops/user-error.ts';
import { callbackTryText } from '../callback-try.ts';
import { enterpriseQuery, type StackTenant, stackTenant } from '../local-tenants.ts';
import {
  callbacksOffNote,
  callbacksOn,
  simulatorCallbackMode,
  tenantArgs,
} from '../simulator-client.ts';
import { readFailurePlan, scriptFailure } from '../simulator-failures.ts';

const COMMAND = {
  name: 'simulator',
  synopsis:
    'package <packageId> --signers a@x.com,b@x.com | callback query|webhook|report|off | ' +
    'fail <packageId> <status>|timeout|drop|off [--times N] | callback-url [packageId]; ' +
    'each [--tenant <id>]',
  summary:
    'Drives the SigningHub simulator that npm start runs: makes a package, sets how it calls\n' +
    'back, makes finish requests fail, and shows how to call the callback by hand. Each acts on\n' +
    "the default tenant's enterprise, or with --tenant on that tenant's (npm start runs acme too).",
  words: {
    'package <packageId>': 'create a package in the simulator with --signers, in signing order',
    'callback <mode>': 'how the simulator calls the callback URL: query, webhook, report, or off',
    'fail <packageId> <answer>':
      'make the next finish request(s) fail: 403 or 404 (final), 500 or 503 (retried), timeout ' +
      '(no answer), drop (connection cut); off takes the failures away',
    'callback-url [packageId]':
      'print the callback URL with its secret and three curl lines that call it',
  },
  options: { signers: { type: 'string' }, times: { type: 'string' }, ...TENANT_OPTION },
  flags: {
    signers: "the package's signers, comma-separated (with package)",
    times: 'how many finish requests in a row fail (with fail; default 1)',
    tenant:
      "the tenant whose enterprise to act on, and whose callback route (default: the default tenant's)",
  },
  examples: [
    'npm run simulator -- package 1001 --signers alice@example.com,bob@example.com',
    'npm run simulator -- callback webhook',
    'npm run simulator -- fail 1001 403',
    'npm run simulator -- fail 1001 500 --times 4',
    'npm run simulator -- fail 1001 timeout',
    'npm run simulator -- callback-url 1001',
    'npm run simulator -- package 1001 --signers carol@example.com --tenant acme',
    'npm run simulator -- fail 1001 503 --times 2 --tenant acme',
    'npm run simulator -- callback-url 1001 --tenant acme',
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

/** The tenant's items already in the table for the id: a finish settled will not be sent again. */
const settledFinishes = async (
  state: StackState,
  packageId: number,
  tenant: string,
): Promise<number> => {
  const client = tableClient(state);
  try {
    const { Count: count } = await client.send(
      new QueryCommand({
        TableName: state.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :finish)',
        ExpressionAttributeValues: {
          ':pk': { S: packageKey(packageId, tenant).pk },
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
  { name: tenant }: StackTenant,
  packageId: number,
  signers: string[],
) => {
  requireSimulator(state);
  const { status, body } = await simulatorRequest(
    state,
    'POST',
    `/_simulator/packages${enterpriseQuery(tenant)}`,
    { packageId, signers },
  );
  if (status !== 201) {
    const message = typeof body === 'object' && body && 'Message' in body ? body.Message : status;
    throw new UserError(`the simulator refused the package (${String(message)}); ${USAGE}`);
  }
  const mode = await simulatorCallbackMode(state, tenant);
  const lines = [
    `${packageName(packageId, tenant)} created in the simulator with the signers ` +
      `${signers.join(', ')} (in this order); when the last one has finished, ${
        mode === undefined
          ? callbacksOffNote(packageId, tenant)
          : `the simulator calls the callback (${mode})`
      }`,
  ];
  const settled = await settledFinishes(state, packageId, tenant);
  if (settled > 0) {
    lines.push(
      `note: the table already has ${settled} finish item${settled === 1 ? '' : 's'} for ` +
        `${packageName(packageId, tenant)} from earlier: a settled finish is not sent again, so ` +
        'a new id shows the whole loop',
    );
  }
  lines.push(`next: npm run event -- ${packageId} ${signers[0]}${tenantArgs(tenant)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
};

const callbackModeOf = (mode: string | undefined): string => {
  if (mode !== undefined && (mode === 'off' || CALLBACK_MODES[mode] !== undefined)) return mode;
  throw new UsageError(`the callback mode is query, webhook, report or off; ${USAGE}`);
};

const setCallback = async (state: StackState, tenant: StackTenant, mode: string) => {
  const path = `/_simulator/callback${enterpriseQuery(tenant.name)}`;
  if (mode === 'off') {
    await simulatorRequest(state, 'PUT', path);
    process.stdout.write(
      'the simulator no longer calls the callback: npm run reconcile -- ' +
        `<packageId>${tenantArgs(tenant.name)} confirms a finished package with SigningHub ` +
        `instead (${callbacksOn(tenant.name)} turns callbacks back on)\n`,
    );
    return;
  }
  const { status } = await simulatorRequest(state, 'PUT', path, {
    url: tenant.callbackUrl,
    mode,
  });
  if (status !== 200) throw new UserError(`the simulator refused the callback mode (${status})`);
  process.stdout.write(`the simulator now calls back with ${mode}: ${CALLBACK_MODES[mode]}\n`);
};

/** The tenant's callback URL, and curl lines for the package given, else its newest one. */
const showCallbackUrl = async (
  state: StackState,
  tenant: StackTenant,
  packageId: number | undefined,
) => {
  const newest = async () =>
    (await loadPackageReports(state, { limit: 100 })).reports.find(
      (report) => report.tenant === tenant.name,
    )?.packageId ?? 1001;
  process.stdout.write(callbackTryText(tenant.callbackUrl, packageId ?? (await newest())));
};

/** Each word checks its own arguments before the stack is asked anything. */
const main = async (): Promise<number> => {
  const parsed = parseCommand(COMMAND);
  const { signers, times } = parsed.values;
  const tenantName = tenantOption(parsed.values.tenant, USAGE);
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
  /** The running stack and the tenant it runs of that name. */
  const running = async () => {
    const state = await requireRunningStack(process.env);
    return { state, tenant: stackTenant(state, tenantName) };
  };
  if (command === 'package') {
    const packageId = packageIdOf(argument);
    const { state, tenant } = await running();
    await createPackage(state, tenant, packageId, signersOf(signers));
    return 0;
  }
  if (command === 'callback') {
    const mode = callbackModeOf(argument);
    const { state, tenant } = await running();
    requireSimulator(state);
    await setCallback(state, tenant, mode);
    return 0;
  }
  if (command === 'fail') {
    const plan = readFailurePlan(packageIdOf(argument), rest[0], times, USAGE);
    const { state, tenant } = await running();
    requireSimulator(state);
    process.stdout.write(`${await scriptFailure(state, plan, tenant.name)}\n`);
    return 0;
  }
  if (command === 'callback-url') {
    const packageId = argument === undefined ? undefined : packageIdOf(argument);
    const { state, tenant } = await running();
    await showCallbackUrl(state, tenant, packageId);
    return 0;
  }
  throw new UsageError(
    `${command === undefined ? 'say package, callback, fail or callback-url' : `unknown command "${command}"`}; ${USAGE}`,
  );
};

runCommand(main);
