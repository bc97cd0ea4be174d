import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { lambdaContext } from './factories.ts';
import { type FunctionStack, startFunctionStack } from './function-stack.ts';

interface FinishModule {
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}

export interface FinishStack extends FunctionStack<FinishModule> {
  invoke(event: SQSEvent, remainingMs?: number): Promise<SQSBatchResponse>;
}

export const startFinishStack = async (
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<FinishStack> => {
  const stack = await startFunctionStack<FinishModule>(
    () => import('../../functions/finish.ts'),
    extraEnv,
    simulatorOptions,
  );
  return {
    ...stack,
    invoke: (event, remainingMs = 60_000) =>
      stack.module.handler(event, lambdaContext(remainingMs)),
  };
};
