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
import type { ReconcileSummary } from '../lib/reconcile/reconcile-packages.ts';

/** A module whose `handler` Lambda calls; unknown in and out where any handler will do. */
export interface HandlerModule<Event = unknown, Result = unknown> {
  handler(event: Event, context: Context): Promise<Result>;
}

export type FinishModule = HandlerModule<SQSEvent, SQSBatchResponse>;
export type CallbackModule = HandlerModule<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
>;
export type ReconcileModule = HandlerModule<ScheduledEvent, ReconcileSummary>;
export type PublishModule = HandlerModule<DynamoDBStreamEvent, DynamoDBBatchResponse>;
export type ArchiveModule = HandlerModule<SQSEvent, SQSBatchResponse>;

/** functions/<name>.ts, by name. */
export interface HandlerModules {
  readonly finish: FinishModule;
  readonly callback: CallbackModule;
  readonly reconcile: ReconcileModule;
  readonly publish: PublishModule;
  readonly archive: ArchiveModule;
}

/** Imports functions/<name>.ts; an `instance` gets its own module, as a warm environment has. */
export const importHandler = async <Name extends keyof HandlerModules>(
  name: Name,
  instance?: string,
): Promise<HandlerModules[Name]> => {
  const query = instance === undefined ? '' : `?instance=${instance}`;
  return (await import(
    /* @vite-ignore */ `../functions/${name}.ts${query}`
  )) as HandlerModules[Name];
};
