import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { SimulatorOptions } from '../../harness/simulator/types.ts';
import { lambdaContext } from './factories.ts';
import { type FunctionStack, startFunctionStack } from './function-stack.ts';

interface CallbackModule {
  handler: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
}

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
  const stack = await startFunctionStack<CallbackModule>(
    () => import('../../functions/callback.ts'),
    extraEnv,
    simulatorOptions,
  );
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
