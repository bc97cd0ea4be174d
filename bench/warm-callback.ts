import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { functionEnvironment } from '../harness/function-env.ts';
import { countsBetween, type OperationCounts } from './dynamodb-counter.ts';
import { type BenchServices, benchFunctionEnv } from './services.ts';
import { startWorker } from './worker-process.ts';
import { WORKLOADS } from './worker-protocol.ts';

export interface WarmCallbackOptions {
  readonly requests: number;
  readonly warmupRequests: number;
}

export interface WarmCallbackResult {
  readonly requests: number;
  readonly wallMs: number;
  readonly cpuMicros: number;
  readonly failures: number;
  readonly latenciesMs: readonly number[];
  /** Over the measured requests only. */
  readonly dynamoDb: OperationCounts;
  readonly workflowRequests: number;
  /** EMF blobs printed over the measured requests (one invocation each). */
  readonly emfBlobs: number;
}

export type WarmCallbackOutcome =
  | { readonly measured: true; readonly result: WarmCallbackResult }
  | { readonly measured: false; readonly reason: string };

const CALLBACK_MODULE = new URL(WORKLOADS.callback, new URL('./', import.meta.url));
const FIRST_PACKAGE_ID = 50_000_000;

/**
 * SigningHub's GET callbacks, one at a time as one Lambda instance takes them, through the real
 * handler: each for a package SigningHub reports COMPLETED.
 */
export const measureWarmCallback = async (
  services: BenchServices,
  options: WarmCallbackOptions,
): Promise<WarmCallbackOutcome> => {
  if (!existsSync(CALLBACK_MODULE)) {
    return { measured: false, reason: 'functions/callback.ts missing' };
  }
  const { simulator, counter } = services;
  const total = options.warmupRequests + options.requests;
  for (let index = 0; index < total; index += 1) {
    simulator.setWorkflowStatus(FIRST_PACKAGE_ID + index, 'COMPLETED');
  }
  const worker = await startWorker('callback', {
    ...services.handlerEnv,
    ...functionEnvironment({ callbackSecret: `bench-${randomUUID()}` }),
    ...benchFunctionEnv('callback'),
  });
  try {
    await worker.run({
      type: 'round',
      firstPackageId: FIRST_PACKAGE_ID,
      events: options.warmupRequests,
      batchSize: 1,
    });
    const dynamoBefore = counter.counts();
    const workflowBefore = simulator.count('workflow');
    const report = await worker.run({
      type: 'round',
      firstPackageId: FIRST_PACKAGE_ID + options.warmupRequests,
      events: options.requests,
      batchSize: 1,
    });
    return {
      measured: true,
      result: {
        requests: report.events,
        wallMs: report.wallMs,
        cpuMicros: report.cpuMicros,
        failures: report.failures,
        latenciesMs: report.latenciesMs,
        dynamoDb: countsBetween(dynamoBefore, counter.counts()),
        workflowRequests: simulator.count('workflow') - workflowBefore,
        emfBlobs: report.emfBlobs,
      },
    };
  } finally {
    await worker.stop();
  }
};
