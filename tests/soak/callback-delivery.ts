import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { CallbackModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { CallbackAnswer } from './callback-bridge.ts';
import type { CallbackRecord } from './invariants.ts';
import type { LeakFinding } from './log-scanner.ts';
import type { Random } from './random.ts';

type Source = CallbackRecord['source'];

export interface CallbackDeliveryOptions {
  readonly handlers: readonly CallbackModule[];
  readonly random: Random;
  /** Searches an answer for the run's secrets. */
  readonly scanText: (source: string, text: string) => readonly LeakFinding[];
  /** Where leaks found in answers go. */
  readonly leaks: LeakFinding[];
}

export interface CallbackDelivery {
  /** Every callback the function answered (or threw on), in order. */
  readonly records: readonly CallbackRecord[];
  deliver(
    event: APIGatewayProxyEventV2,
    source: Source,
    expectedStatus?: number,
  ): Promise<CallbackAnswer>;
  /** A callback that does not come through SigningHub's bridge (a decline, premature, hostile). */
  send(event: APIGatewayProxyEventV2, source: Source, expectedStatus?: number): void;
  /** Resolves once every callback sent so far has been answered. */
  settled(): Promise<void>;
}

/** Each callback goes to one of the instances; every answer is recorded and searched for leaks. */
export const createCallbackDelivery = (options: CallbackDeliveryOptions): CallbackDelivery => {
  const records: CallbackRecord[] = [];
  const direct = new Set<Promise<unknown>>();
  const deliver: CallbackDelivery['deliver'] = async (event, source, expectedStatus) => {
    const module = options.random.pick(options.handlers);
    const startedAt = Date.now();
    try {
      const result = await module.handler(event, lambdaContext(20_000));
      const body = typeof result.body === 'string' ? result.body : undefined;
      options.leaks.push(...options.scanText('a callback answer', body ?? ''));
      const statusCode = result.statusCode ?? 200;
      records.push({ source, status: statusCode, expectedStatus, startedAt, endedAt: Date.now() });
      return { statusCode, body };
    } catch {
      records.push({ source, status: 'threw', startedAt, endedAt: Date.now() });
      return { statusCode: 500, body: undefined };
    }
  };
  return {
    records,
    deliver,
    send: (event, source, expectedStatus) => {
      const sent = deliver(event, source, expectedStatus).finally(() => direct.delete(sent));
      direct.add(sent);
    },
    settled: async () => {
      while (direct.size > 0) await Promise.allSettled([...direct]);
    },
  };
};
