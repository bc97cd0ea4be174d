import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FinishModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { type FunctionStack, startFunctionStack } from './function-stack.ts';

export interface FinishStack extends FunctionStack<FinishModule> {
  invoke(event: SQSEvent, remainingMs?: number): Promise<SQSBatchResponse>;
}

export const startFinishStack = async (
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<FinishStack> => {
  const stack = await startFunctionStack('finish', extraEnv, simulatorOptions);
  return {
    ...stack,
    invoke: (event, remainingMs = 60_000) =>
      stack.module.handler(event, lambdaContext(remainingMs)),
  };
};
