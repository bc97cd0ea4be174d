/**
 * AWS list prices, us-east-1, on demand, without free tiers, as the author knew them in June 2025
 * (the bench has no network to fetch them): check them on aws.amazon.com/pricing before use.
 */
export const PRICES_AS_OF = 'June 2025';

export interface Prices {
  /** Lambda, per request. */
  readonly lambdaRequest: number;
  /** Lambda, per GB-second, by architecture (first 6 or 7.5 billion GB-s a month). */
  readonly lambdaGbSecond: Readonly<Record<'arm64' | 'x86_64', number>>;
  /** DynamoDB on demand, per write and read request unit (after the November 2024 cut). */
  readonly dynamoDbWriteUnit: number;
  readonly dynamoDbReadUnit: number;
  /** SQS standard queue, per request (a 64 KB chunk). */
  readonly sqsRequest: number;
  /** EventBridge, per custom event put (a 64 KB chunk). */
  readonly eventBridgeEvent: number;
  /** API Gateway HTTP API, per request (first 300 million a month). */
  readonly httpApiRequest: number;
  /** CloudWatch Logs, per GB ingested (Standard class; Lambda's first 10 TB a month). */
  readonly logsIngestedGb: number;
}

export const US_EAST_1: Prices = {
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  dynamoDbWriteUnit: 0.625 / 1e6,
  dynamoDbReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeEvent: 1 / 1e6,
  httpApiRequest: 1 / 1e6,
  logsIngestedGb: 0.5,
};

/** What the cost model assumes rather than measures; BENCHMARKS.md states each. */
export const ASSUMPTIONS = {
  /** SigningHub's finish, answered: it dominates a deployed finish's duration. */
  signingHubFinishMs: 500,
  /** SigningHub's workflow read, for the callback's confirmation. */
  signingHubWorkflowMs: 300,
  /** One DynamoDB request from Lambda in the same region. */
  dynamoDbRequestMs: 5,
  /** One EventBridge PutEvents from Lambda in the same region. */
  eventBridgePutMs: 20,
  /** Lambda gives a function one full vCPU at 1,769 MB, and CPU in proportion below that. */
  fullCpuMemoryMb: 1769,
  /** Lambda's own JSON lines per invocation (platform.start, platform.report), about. */
  platformLogBytesPerInvocation: 400,
  /** The upstream puts each signing event on the queue alone (SendMessage, not a batch). */
  sqsSendsPerEvent: 1,
  /** The event source mapping: one ReceiveMessage and one DeleteMessageBatch per batch. */
  sqsRequestsPerBatch: 2,
} as const;
