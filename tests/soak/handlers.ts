import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  ScheduledEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { ReconcileSummary } from '../../lib/reconcile/reconcile-packages.ts';

export interface FinishModule {
  handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
}
export interface CallbackModule {
  handler(
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2>;
}
export interface ReconcileModule {
  handler(event: ScheduledEvent, context: Context): Promise<ReconcileSummary>;
}
export interface PublishModule {
  handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse>;
}

export interface SoakHandlers {
  readonly finish: readonly FinishModule[];
  readonly callback: readonly CallbackModule[];
  readonly reconcile: ReconcileModule;
  readonly publish: PublishModule;
}

/**
 * Each URL is its own ES module instance (its own runtime, token cache and clients), as each
 * warm Lambda execution environment is; the environment must be set before this is called.
 */
const load = async <Module>(name: string, instance: string): Promise<Module> => {
  const specifier = `../../functions/${name}.ts?instance=${instance}`;
  return (await import(/* @vite-ignore */ specifier)) as Module;
};

/** `runId` keeps a second run in the same process from reusing the first run's modules. */
export const loadHandlers = async (
  runId: string,
  finishInstances: number,
): Promise<SoakHandlers> => ({
  finish: await Promise.all(
    Array.from({ length: finishInstances }, (_, i) =>
      load<FinishModule>('finish', `${runId}-${i + 1}`),
    ),
  ),
  callback: await Promise.all([1, 2].map((i) => load<CallbackModule>('callback', `${runId}-${i}`))),
  reconcile: await load<ReconcileModule>('reconcile', runId),
  publish: await load<PublishModule>('publish', runId),
});
