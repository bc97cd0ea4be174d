import { setTimeout as delay } from 'node:timers/promises';
import type { ArchiveRequest } from '../lib/archive/archive-request.ts';
import { describeAwsFailure } from './aws-failure.ts';
import type { ArchiveRequests, SendOutcome } from './target.ts';

/** SQS's SendMessageBatch and EventBridge's PutEvents take at most 10 entries a call. */
export const BATCH_SIZE = 10;
/** Each request is sent at most this many times while its refusals say a retry may work. */
const ATTEMPTS = 3;

/** A request on its way: its message (or event) id. */
export interface SentRequest {
  readonly request: ArchiveRequest;
  /** Its place in the requests given. */
  readonly index: number;
  readonly id: string;
}

export interface SendResult {
  /** What was sent, in the order given. */
  readonly sent: readonly SentRequest[];
  /** The first request that could not be sent (nothing after its batch was tried), and why. */
  readonly failed: { readonly index: number; readonly reason: string } | undefined;
}

/** An error's one line: AWS's own advice where it has some, else its name and first line. */
export const errorLine = (error: unknown, region: string): string =>
  describeAwsFailure(error, region) ??
  (error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error));

/** Retried a moment later: throttling eases, a service's own fault passes. */
const pause = (attempt: number) => delay(250 * attempt);

/**
 * Sends the requests in batches of 10, each batch's refusals that may pass sent again (at most
 * three times in all); stops at the first batch with a request it could not send, since the
 * caller resumes after the last request it knows is sent. A call that fails outright (the SDK
 * has retried it already) fails its whole batch, as `describe` says.
 */
export const sendRequests = async (
  destination: Pick<ArchiveRequests, 'send'>,
  requests: readonly ArchiveRequest[],
  describe: (error: unknown) => string,
  sleep: (attempt: number) => Promise<unknown> = pause,
): Promise<SendResult> => {
  const sent: SentRequest[] = [];
  for (let start = 0; start < requests.length; start += BATCH_SIZE) {
    const batch = requests.slice(start, start + BATCH_SIZE);
    const ids = new Map<number, string>();
    let pending = batch.map((_, index) => index);
    /** Each request refused at its latest try, and why. */
    const refused = new Map<number, string>();
    for (let attempt = 1; pending.length > 0 && attempt <= ATTEMPTS; attempt += 1) {
      if (attempt > 1) await sleep(attempt - 1);
      let outcomes: readonly SendOutcome[];
      try {
        outcomes = await destination.send(pending.map((index) => batch[index] as ArchiveRequest));
      } catch (error) {
        const reason = describe(error);
        outcomes = pending.map(() => ({ ok: false, reason, retryable: false }));
      }
      const retry: number[] = [];
      for (const [position, index] of pending.entries()) {
        const outcome = outcomes[position];
        if (outcome?.ok) {
          ids.set(index, outcome.id);
          refused.delete(index);
        } else {
          refused.set(index, outcome?.reason ?? 'no answer for it');
          if (outcome === undefined || outcome.retryable) retry.push(index);
        }
      }
      pending = retry;
    }
    for (const [index, request] of batch.entries()) {
      const id = ids.get(index);
      if (id !== undefined) sent.push({ request, index: start + index, id });
    }
    // Every request refused was refused at its first try, where all are tried in their order:
    // the map holds them in that order, the first refused first.
    const [first] = refused;
    if (first !== undefined) {
      return { sent, failed: { index: start + first[0], reason: first[1] } };
    }
  }
  return { sent, failed: undefined };
};
