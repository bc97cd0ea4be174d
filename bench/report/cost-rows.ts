import { type CostLine, costPerMillion, type Flow, totalDollars } from '../cost/cost.ts';
import { ASSUMPTIONS, PRICES_AS_OF, type Prices } from '../cost/prices.ts';
import { atMost, dollars, fixed, times } from './format.ts';
import { NOT_MEASURED, type Report } from './report.ts';
import type { Row } from './tables.ts';

export interface CostFlows {
  readonly ours: Flow;
  readonly peer: Flow | undefined;
  /** Ours only: the package's callback and completion event, which the peer does not do. */
  readonly afterFinish: Flow | undefined;
}

const quantity = (line: CostLine): string => {
  const value =
    line.quantity >= 1e6
      ? `${fixed(line.quantity / 1e6)} M`
      : line.quantity >= 1e3
        ? `${fixed(line.quantity / 1e3, 1)} k`
        : fixed(line.quantity, line.quantity < 10 ? 2 : 0);
  return `${value} ${line.unit}`;
};

const cell = (line: CostLine | undefined): string =>
  line === undefined || line.quantity === 0 ? '–' : `${quantity(line)}: ${dollars(line.dollars)}`;

export const COST_LABEL = `AWS cost per million finishes (us-east-1 list prices as of ${PRICES_AS_OF}; the breakdown below)`;

/**
 * The rows of the main table on cost: DynamoDB write units per finish (the index's included) at
 * most the peer's, and what a million finishes cost below the peer's. Both are counted and priced,
 * not timed: exact figures, judged exactly.
 */
export const costRows = (flows: CostFlows, prices: Prices, report: Report): Row[] => {
  const ours = totalDollars(costPerMillion(flows.ours, prices));
  const peer = flows.peer ? totalDollars(costPerMillion(flows.peer, prices)) : undefined;
  const units = (flow: Flow) => fixed(flow.writeUnitsPerEvent);
  return [
    {
      measure:
        'DynamoDB write units per finish (item sizes from the stream, the open-packages index included)',
      ours: units(flows.ours),
      ...(flows.peer ? { peer: units(flows.peer) } : {}),
      target: '≤ peer',
      result: report.judge(
        'DynamoDB write units per finish ≤ the peer’s',
        flows.peer
          ? atMost(flows.ours.writeUnitsPerEvent, flows.peer.writeUnitsPerEvent, fixed)
          : NOT_MEASURED,
      ),
    },
    {
      measure: COST_LABEL,
      ours: dollars(ours),
      ...(peer === undefined ? {} : { peer: dollars(peer), oursToPeer: times(ours / peer) }),
      target: '< peer',
      result: report.judge(
        'cost per million finishes below the peer’s',
        peer === undefined
          ? NOT_MEASURED
          : ours < peer
            ? 'met'
            : `**missed**: ${dollars(ours)} against ${dollars(peer)}`,
      ),
    },
  ];
};

/** The cost, line by line, for ours, the peer, and what ours does after the finish. */
export const costTable = (
  flows: CostFlows,
  prices: Prices,
): { header: string[]; rows: string[][] } => {
  const ours = costPerMillion(flows.ours, prices);
  const peer = flows.peer ? costPerMillion(flows.peer, prices) : undefined;
  const after = flows.afterFinish ? costPerMillion(flows.afterFinish, prices) : undefined;
  const rows = ours.map((line, index) => [
    line.item,
    cell(line),
    cell(peer?.[index]),
    cell(after?.[index]),
  ]);
  rows.push([
    '**per million finishes**',
    `**${dollars(totalDollars(ours))}**`,
    peer ? `**${dollars(totalDollars(peer))}**` : 'not measured',
    after ? `${dollars(totalDollars(after))} more` : 'not measured',
  ]);
  return {
    header: [
      `per million finishes, us-east-1, prices as of ${PRICES_AS_OF} (check them)`,
      'ours',
      'peer (Powertools)',
      'ours, after the finish: callback and completion event (the peer has none)',
    ],
    rows,
  };
};

/** What the cost rests on besides the measurements: said under the table. */
export const costAssumptions = (memory: string): string =>
  "Measured by this run: invocations per finish, the handler's CPU per invocation, DynamoDB " +
  "requests and their write units (item sizes from the table's stream, the open-packages " +
  "index's writes included), log bytes per invocation (every log and EMF line). Stated: " +
  `SigningHub answers a finish in ${ASSUMPTIONS.signingHubFinishMs} ms and a workflow read in ` +
  `${ASSUMPTIONS.signingHubWorkflowMs} ms; a DynamoDB request takes ${ASSUMPTIONS.dynamoDbRequestMs} ms ` +
  `and a PutEvents ${ASSUMPTIONS.eventBridgePutMs} ms; at ${memory} Lambda gives a function its ` +
  `share of a vCPU (a whole one at ${ASSUMPTIONS.fullCpuMemoryMb} MB), so an invocation lasts its ` +
  "waiting plus its CPU stretched by that share (this machine's core standing in for Graviton's); " +
  `Lambda's own lines add ${ASSUMPTIONS.platformLogBytesPerInvocation} bytes per invocation; the ` +
  `upstream sends each event alone (${ASSUMPTIONS.sqsSendsPerEvent} SQS request) and the event ` +
  `source mapping makes ${ASSUMPTIONS.sqsRequestsPerBatch} per batch. Not counted: empty SQS ` +
  "polls, log storage, the metrics' monthly charge, Secrets Manager reads (cached), free tiers.";
