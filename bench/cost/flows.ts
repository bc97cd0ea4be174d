import { type OperationCounts, WRITE_OPERATIONS } from '../dynamodb-counter.ts';
import { sum } from '../stats.ts';
import type { VariantSummary } from '../warm/summary.ts';
import type { Flow, FunctionShare } from './cost.ts';
import { ASSUMPTIONS } from './prices.ts';
import type { FunctionSettings } from './stack-settings.ts';
import type { OwnerUnits } from './stream-units.ts';

const count = (counts: OperationCounts, pick: (operation: string) => boolean): number =>
  sum(Object.entries(counts).map(([operation, n]) => (pick(operation) ? n : 0)));

/**
 * Read units: a strongly consistent GetItem is 1 per 4 KB, a Query of the index (eventually
 * consistent) 0.5 per 4 KB; every item read here is well under 4 KB.
 */
const readUnits = (counts: OperationCounts): number =>
  count(counts, (op) => op === 'GetItem' || op === 'BatchGetItem') +
  0.5 * count(counts, (op) => op === 'Query' || op === 'Scan');

/**
 * Write units per event: the table's and the index's, from the item sizes on the stream; each
 * write the stream did not show (a failed condition, a write that changed nothing, a write to
 * another table) at `unseenUnits` each.
 */
export const writeUnitsPerEvent = (
  summary: VariantSummary,
  units: OwnerUnits | undefined,
  unseenUnits: number,
): number => {
  const writes = count(summary.dynamoDb, (op) => WRITE_OPERATIONS.has(op));
  const seen = units?.changes ?? 0;
  const streamed = (units?.table ?? 0) + (units?.index ?? 0);
  return (streamed + Math.max(0, writes - seen) * unseenUnits) / summary.requestEvents;
};

/** A function's share of a flow, from what it measured and the stated latencies. */
const share = (
  name: string,
  summary: VariantSummary,
  settings: FunctionSettings,
  waitMsPerInvocation: number,
  invocationsPerEvent: number,
): FunctionShare => ({
  name,
  ...settings,
  invocationsPerEvent,
  cpuMicrosPerInvocation: summary.cpuMicros / summary.invocations,
  waitMsPerInvocation,
  logBytesPerInvocation: summary.logBytes / summary.invocations,
});

/**
 * One finish, deployed: its share of an SQS batch, the SigningHub call and the DynamoDB round
 * trips in a row (the batch's events overlap, so one event's chain is the batch's wait), the
 * writes at their measured sizes, the lines it printed.
 */
export const finishFlow = (
  summary: VariantSummary,
  units: OwnerUnits | undefined,
  unseenUnits: number,
  settings: FunctionSettings,
): Flow => {
  const invocationsPerEvent = summary.invocations / summary.events;
  const requestsPerEvent = sum(Object.values(summary.dynamoDb)) / summary.requestEvents;
  const wait = ASSUMPTIONS.signingHubFinishMs + requestsPerEvent * ASSUMPTIONS.dynamoDbRequestMs;
  return {
    functions: [share('finish', summary, settings, wait, invocationsPerEvent)],
    writeUnitsPerEvent: writeUnitsPerEvent(summary, units, unseenUnits),
    readUnitsPerEvent: readUnits(summary.dynamoDb) / summary.requestEvents,
    sqsRequestsPerEvent:
      ASSUMPTIONS.sqsSendsPerEvent + ASSUMPTIONS.sqsRequestsPerBatch * invocationsPerEvent,
    eventBridgeEventsPerEvent: 0,
    httpApiRequestsPerEvent: 0,
  };
};

/**
 * What ours does for a package after its finish, which the peer does not do at all: SigningHub's
 * callback through API Gateway, its confirmation, and the completion event `publish` sends.
 */
export const afterFinishFlow = (
  callback: VariantSummary,
  callbackUnits: OwnerUnits | undefined,
  publish: VariantSummary,
  eventBridgePutsPerRecord: number,
  settings: { readonly callback: FunctionSettings; readonly publish: FunctionSettings },
): Flow => {
  const callbackRequests = sum(Object.values(callback.dynamoDb)) / callback.requestInvocations;
  const callbackWait =
    ASSUMPTIONS.signingHubWorkflowMs + callbackRequests * ASSUMPTIONS.dynamoDbRequestMs;
  const recordsPerInvocation = publish.events / publish.invocations;
  const publishWait =
    recordsPerInvocation * eventBridgePutsPerRecord * ASSUMPTIONS.eventBridgePutMs;
  return {
    functions: [
      share('callback', callback, settings.callback, callbackWait, 1),
      share('publish', publish, settings.publish, publishWait, 1 / recordsPerInvocation),
    ],
    writeUnitsPerEvent: writeUnitsPerEvent(callback, callbackUnits, 1),
    readUnitsPerEvent: readUnits(callback.dynamoDb) / callback.requestEvents,
    sqsRequestsPerEvent: 0,
    eventBridgeEventsPerEvent: eventBridgePutsPerRecord,
    httpApiRequestsPerEvent: 1,
  };
};
