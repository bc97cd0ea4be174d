import { ASSUMPTIONS, type Prices } from './prices.ts';

/** One deployed function's share of a flow, per event of the flow: measured, or stated. */
export interface FunctionShare {
  readonly name: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  readonly invocationsPerEvent: number;
  /** Measured: the handler's CPU per invocation on this machine, at full speed. */
  readonly cpuMicrosPerInvocation: number;
  /** Waiting per invocation (SigningHub, DynamoDB, EventBridge round trips), from the stated latencies. */
  readonly waitMsPerInvocation: number;
  /** Measured: bytes the handler printed per invocation (every log and EMF line). */
  readonly logBytesPerInvocation: number;
}

/** What one event of a flow costs in AWS requests, beside its functions. */
export interface Flow {
  readonly functions: readonly FunctionShare[];
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  readonly sqsRequestsPerEvent: number;
  readonly eventBridgeEventsPerEvent: number;
  readonly httpApiRequestsPerEvent: number;
}

export type CostItem =
  | 'Lambda requests'
  | 'Lambda duration'
  | 'DynamoDB writes'
  | 'DynamoDB reads'
  | 'SQS requests'
  | 'EventBridge events'
  | 'API Gateway requests'
  | 'CloudWatch Logs ingestion';

export interface CostLine {
  readonly item: CostItem;
  /** Per million events: requests, GB-seconds, units, events, or GB. */
  readonly quantity: number;
  readonly unit: string;
  readonly dollars: number;
}

const MILLION = 1e6;
const GB = 1024 ** 3;

/**
 * A deployed invocation's duration: its waiting, plus its CPU stretched by the share of a vCPU
 * Lambda gives its memory size (one vCPU at 1,769 MB).
 */
export const durationMs = (share: FunctionShare): number =>
  share.waitMsPerInvocation +
  (share.cpuMicrosPerInvocation / 1000) * Math.max(1, ASSUMPTIONS.fullCpuMemoryMb / share.memoryMb);

/** The flow's cost per million events, line by line. */
export const costPerMillion = (flow: Flow, prices: Prices): CostLine[] => {
  const invocations = flow.functions.reduce((all, f) => all + f.invocationsPerEvent, 0);
  const gbSeconds = flow.functions.map(
    (f) => ((f.invocationsPerEvent * durationMs(f)) / 1000) * (f.memoryMb / 1024),
  );
  const durationDollars = flow.functions.reduce(
    (all, f, index) => all + (gbSeconds[index] ?? 0) * prices.lambdaGbSecond[f.architecture],
    0,
  );
  const platformBytes = ASSUMPTIONS.platformLogBytesPerInvocation;
  const logBytes = flow.functions.reduce(
    (all, f) => all + f.invocationsPerEvent * (f.logBytesPerInvocation + platformBytes),
    0,
  );
  const line = (item: CostItem, perEvent: number, unit: string, price: number): CostLine => ({
    item,
    quantity: perEvent * MILLION,
    unit,
    dollars: perEvent * MILLION * price,
  });
  return [
    line('Lambda requests', invocations, 'requests', prices.lambdaRequest),
    {
      item: 'Lambda duration',
      quantity: gbSeconds.reduce((all, value) => all + value, 0) * MILLION,
      unit: 'GB-s',
      dollars: durationDollars * MILLION,
    },
    line('DynamoDB writes', flow.writeUnitsPerEvent, 'WRU', prices.dynamoDbWriteUnit),
    line('DynamoDB reads', flow.readUnitsPerEvent, 'RRU', prices.dynamoDbReadUnit),
    line('SQS requests', flow.sqsRequestsPerEvent, 'requests', prices.sqsRequest),
    line('EventBridge events', flow.eventBridgeEventsPerEvent, 'events', prices.eventBridgeEvent),
    line('API Gateway requests', flow.httpApiRequestsPerEvent, 'requests', prices.httpApiRequest),
    line('CloudWatch Logs ingestion', logBytes / GB, 'GB', prices.logsIngestedGb),
  ];
};

export const totalDollars = (lines: readonly CostLine[]): number =>
  lines.reduce((all, line) => all + line.dollars, 0);
