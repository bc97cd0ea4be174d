import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { CallbackModule } from '../../harness/handler-modules.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { type FunctionStack, startFunctionStack } from './function-stack.ts';

export interface CallbackAnswer {
  readonly statusCode: number;
  readonly body: unknown;
  readonly rawBody: string | undefined;
}

export interface CallbackStack extends FunctionStack<CallbackModule> {
  call(event: APIGatewayProxyEventV2): Promise<CallbackAnswer>;
}

export const startCallbackStack = async (
  extraEnv: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<CallbackStack> => {
  const stack = await startFunctionStack('callback', extraEnv, simulatorOptions);
  return {
    ...stack,
    call: async (event) => {
      const result = await stack.module.handler(event, lambdaContext(20_000));
      const rawBody = typeof result.body === 'string' ? result.body : undefined;
      let body: unknown = rawBody;
      try {
        body = rawBody === undefined ? undefined : JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
      return { statusCode: result.statusCode ?? 200, body, rawBody };
    },
  };
};
