import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { publishCompletionEvents } from '../lib/events/completion-events.ts';
import { silentLog } from '../lib/logger.ts';
import { NO_METRICS } from '../lib/metrics.ts';
import type { DynamoDbTable } from '../lib/store/dynamodb-table.ts';
import { isFinalPackageStatus } from '../lib/store/items.ts';
import { type PackageRef, packageKey } from '../lib/store/keys.ts';
import { awsCall } from './aws-failure.ts';
import { checkPackage, packageArgs, packageName } from './operator-target.ts';
import { UserError } from './user-error.ts';

export interface RepublishResult {
  readonly packageId: number;
  readonly tenant: string;
  readonly status: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly eventId: string | undefined;
}

export interface RepublishDependencies {
  readonly table: Pick<DynamoDbTable, 'get'>;
  /** What the user knows the table by, for the line that says the package is not there. */
  readonly tableName: string;
  readonly eventBridge: EventBridgeClient;
  /** The publish function's EVENT_BUS_NAME; undefined: it sends no completion events. */
  readonly busName: string | undefined;
  /** What the user acts on, in the lines: "stage prod", "the local stack". */
  readonly where: string;
}

interface SentEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly eventId: string | undefined;
}

const RECORDER = 'recordRepublishedEvent';

/**
 * Records what a PutEvents through this client sent and the id EventBridge gave it, until
 * `stop` takes the recorder off the client again.
 */
const recordSent = (eventBridge: EventBridgeClient) => {
  let sent: SentEntry | undefined;
  eventBridge.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const entry = 'Entries' in args.input ? args.input.Entries?.[0] : undefined;
      const answer = 'Entries' in result.output ? result.output.Entries?.[0] : undefined;
      if (entry && answer && 'EventId' in answer) {
        sent = {
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          // JSON: publishCompletionEvents builds it with JSON.stringify.
          detail: JSON.parse(entry.Detail ?? 'null') as unknown,
          eventId: answer.EventId,
        };
      }
      return result;
    },
    { step: 'initialize', name: RECORDER },
  );
  return { sent: () => sent, stop: () => eventBridge.middlewareStack.remove(RECORDER) };
};

/**
 * Sends a final package's completion event again, rebuilt from its package item the way the
 * publish function builds it from the stream's record (the same code does both): a tenant's
 * package item is keyed by its tenant, so its event carries the tenant as publish's does.
 */
export const republishPackage = async (
  { packageId, tenant }: PackageRef,
  deps: RepublishDependencies,
): Promise<RepublishResult> => {
  const name = packageName(packageId, tenant);
  const item = await deps.table.get(packageKey(packageId, tenant));
  if (!item) {
    throw new UserError(
      `${name} is not in the table ${deps.tableName} (${deps.where}): ${checkPackage(tenant)}`,
    );
  }
  const status = item.status?.S ?? 'IN_PROGRESS';
  if (!isFinalPackageStatus(status)) {
    throw new UserError(
      `${name} is ${status}, not final: republish sends only a final package's completion ` +
        `event (npm run reconcile -- ${packageArgs(packageId, tenant)} asks SigningHub whether ` +
        'it is final now)',
    );
  }
  if (deps.busName === undefined) {
    throw new UserError(
      `the publish function of ${deps.where} has no EVENT_BUS_NAME, so it sends no completion ` +
        'events: set the eventBusName parameter and deploy to send them',
    );
  }
  const recorder = recordSent(deps.eventBridge);
  try {
    // A package item becoming final, as the stream shows it to publish (no old image: not final before).
    await awsCall('events:PutEvents', () =>
      publishCompletionEvents(
        [{ eventName: 'MODIFY', dynamodb: { NewImage: item } }],
        { eventBridge: deps.eventBridge, busName: deps.busName, metrics: NO_METRICS },
        silentLog,
      ),
    );
  } finally {
    recorder.stop();
  }
  const entry = recorder.sent();
  if (!entry) {
    throw new Error(`no completion event was sent for package ${packageId} (status ${status})`);
  }
  return { packageId, tenant, status, busName: deps.busName, ...entry };
};
