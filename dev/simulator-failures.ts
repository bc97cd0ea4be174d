import { DEFAULT_SIGNINGHUB_TIMEOUT_MS } from '../lib/config.ts';
import { DEFAULT_RETRY_POLICY } from '../lib/finish/retry-policy.ts';
import { FINAL_STATUSES } from '../lib/signinghub/signinghub-client.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import { positiveIntegerOf, UsageError } from '../ops/command-line.ts';
import { packageName } from '../ops/operator-target.ts';
import { simulatorRequest } from '../ops/stack-client.ts';
import type { StackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { enterpriseQuery } from './local-tenants.ts';
import { simulatedPackage, tenantArgs } from './simulator-client.ts';

/** How the simulator is to fail a finish request: an HTTP status, no answer, or a cut connection. */
export type Failure =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'drop' };

const MAX_TIMES = 100;

/** The answer word of `fail`: an HTTP status from 400 to 599 (not 401), timeout or drop. */
const readFailure = (word: string | undefined, usage: string): Failure => {
  if (word === 'timeout' || word === 'drop') return { kind: word };
  const status = word === undefined ? undefined : positiveIntegerOf(word);
  if (status === 401) {
    throw new UsageError(
      '401 is what the simulator answers a stale token, and the function simply authenticates ' +
        `again: choose 403 (final) or 500 (retried); ${usage}`,
    );
  }
  if (status === undefined || status < 400 || status > 599) {
    throw new UsageError(
      `${word === undefined ? 'the failure is missing' : `"${word}" is not a failure`}: give an ` +
        `HTTP status from 400 to 599, timeout, drop, or off; ${usage}`,
    );
  }
  return { kind: 'status', status };
};

/** --times: how many finish requests in a row fail, 1 by default. */
const readTimes = (text: string | undefined, usage: string): number => {
  if (text === undefined) return 1;
  const times = positiveIntegerOf(text);
  if (times === undefined || times > MAX_TIMES) {
    throw new UsageError(`--times takes a whole number from 1 to ${MAX_TIMES}; ${usage}`);
  }
  return times;
};

/** The answers the simulator's control API queues for the failure. */
const scriptedAnswers = (failure: Failure, times: number, command: string): unknown[] => {
  const answer =
    failure.kind === 'status'
      ? { status: failure.status, body: { Message: `Scripted failure (${command})` } }
      : failure.kind === 'timeout'
        ? { hang: true }
        : { drop: true };
  return Array.from({ length: times }, () => answer);
};

const requests = (n: number) => `finish request${n === 1 ? '' : 's'}`;
const nth = (n: number) => `${n === 1 ? 'the first time' : `the first ${n} times`}`;

/** What the simulator does to the next `times` finish requests, as the forecast tells it. */
const failureText = (failure: Failure, times: number, timeoutMs: number): string => {
  const next = `its next ${times === 1 ? '' : `${times} `}${requests(times)}`;
  if (failure.kind === 'status') return `answers ${next} with ${failure.status}`;
  if (failure.kind === 'drop') return `cuts the connection of ${next}`;
  return (
    `leaves ${next} unanswered (the function gives each up after ${timeoutMs / 1000} s, ` +
    'SIGNINGHUB_TIMEOUT_MS)'
  );
};

/**
 * The confirmation: what the simulator will do, and what `npm run event` will show next. A final
 * status fails the finish for good; anything else the function retries, up to
 * maxAttemptsPerInvocation requests in one delivery, and then hands it back as RETRYING.
 */
export const failureForecast = (facts: {
  readonly packageId: number;
  readonly failure: Failure;
  readonly times: number;
  readonly signer: string | undefined;
  readonly timeoutMs: number;
  /** Whose package: the default tenant's when left out. */
  readonly tenant?: string;
}): string => {
  const { packageId, failure, times, timeoutMs, tenant = DEFAULT_TENANT } = facts;
  const perDelivery = DEFAULT_RETRY_POLICY.maxAttemptsPerInvocation;
  const signer = facts.signer ? ` ${facts.signer}` : '';
  const event = `npm run event -- ${packageId}${signer}${tenantArgs(tenant)}`;
  const scripted =
    `${packageName(packageId, tenant)}: the simulator ${failureText(failure, times, timeoutMs)}, then ` +
    `answers as usual; ${event} will show `;
  if (failure.kind === 'status' && FINAL_STATUSES.includes(failure.status)) {
    return `${scripted}FAILED (a ${failure.status} is final: the function does not send it again)`;
  }
  const retrying = Math.floor(times / perDelivery);
  if (retrying === 0) {
    return (
      `${scripted}SUCCEEDED after ${times + 1} ${requests(times + 1)} (the function tries up to ` +
      `${perDelivery} times in one delivery: --times ${perDelivery} or more shows RETRYING)`
    );
  }
  return (
    `${scripted}RETRYING ${nth(retrying)} (${perDelivery} ${requests(perDelivery)}` +
    `${retrying === 1 ? '' : ' each'}, then handed back to the queue), then SUCCEEDED when run again`
  );
};

/** What `fail` was asked: a failure to script, or `off` to remove what is queued. */
export type FailurePlan =
  | {
      readonly kind: 'fail';
      readonly packageId: number;
      readonly word: string;
      readonly failure: Failure;
      readonly times: number;
    }
  | { readonly kind: 'off'; readonly packageId: number };

/** `fail <packageId> <failure> [--times N]`, or `fail <packageId> off`, read and checked. */
export const readFailurePlan = (
  packageId: number,
  word: string | undefined,
  timesText: string | undefined,
  usage: string,
): FailurePlan => {
  if (word !== 'off') {
    const failure = readFailure(word, usage);
    return {
      kind: 'fail',
      packageId,
      word: word ?? '',
      failure,
      times: readTimes(timesText, usage),
    };
  }
  if (timesText !== undefined)
    throw new UsageError(`--times goes with a failure, not off; ${usage}`);
  return { kind: 'off', packageId };
};

/**
 * Queues the failure in the tenant's enterprise of the simulator (or removes what is queued) and
 * says what comes next.
 */
export const scriptFailure = async (
  state: StackState,
  plan: FailurePlan,
  tenant: string = DEFAULT_TENANT,
): Promise<string> => {
  const { packageId } = plan;
  const name = packageName(packageId, tenant);
  const enterprise = enterpriseQuery(tenant);
  if (plan.kind === 'off') {
    const { body } = await simulatorRequest(
      state,
      'DELETE',
      `/_simulator/scripts/${packageId}${enterprise}`,
    );
    const removed = (body as { removed: number }).removed;
    return removed === 0
      ? `${name}: no scripted answers were queued; the simulator answers as usual`
      : `${name}: ${removed} scripted answer${removed === 1 ? '' : 's'} removed; ` +
          'the simulator answers as usual';
  }
  const simulated = await simulatedPackage(state, packageId, tenant);
  if (!simulated) {
    throw new UserError(
      `${name} is not in the simulator: create it first with npm run simulator -- ` +
        `package ${packageId} --signers alice@example.com,bob@example.com${tenantArgs(tenant)}`,
    );
  }
  const command = `npm run simulator -- fail ${packageId} ${plan.word}${tenantArgs(tenant)}`;
  const { status } = await simulatorRequest(state, 'POST', `/_simulator/scripts${enterprise}`, {
    packageId,
    operation: 'finish',
    responses: scriptedAnswers(plan.failure, plan.times, command),
  });
  if (status !== 201) throw new UserError(`the simulator refused the failure (${status})`);
  const signer =
    simulated.signers.find((s) => s.processStatus !== 'SIGNED') ?? simulated.signers[0];
  const timeoutMs = Number(
    state.functionEnvironment.SIGNINGHUB_TIMEOUT_MS ?? DEFAULT_SIGNINGHUB_TIMEOUT_MS,
  );
  return failureForecast({ ...plan, signer: signer?.email, timeoutMs, tenant });
};
