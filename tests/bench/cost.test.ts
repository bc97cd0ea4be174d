import { describe, expect, it } from 'vitest';
import { costPerMillion, durationMs, type Flow, totalDollars } from '../../bench/cost/cost.ts';
import { type Prices, US_EAST_1 } from '../../bench/cost/prices.ts';

const ROUND_PRICES: Prices = {
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: { arm64: 0.00001, x86_64: 0.00002 },
  dynamoDbWriteUnit: 1 / 1e6,
  dynamoDbReadUnit: 0.25 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeEvent: 1 / 1e6,
  httpApiRequest: 1 / 1e6,
  logsIngestedGb: 0.5,
};

const finish = {
  name: 'finish',
  memoryMb: 256,
  architecture: 'arm64' as const,
  invocationsPerEvent: 0.1,
  cpuMicrosPerInvocation: 10_000,
  waitMsPerInvocation: 500,
  logBytesPerInvocation: 600,
};

const flow: Flow = {
  functions: [finish],
  writeUnitsPerEvent: 4,
  readUnitsPerEvent: 0.5,
  sqsRequestsPerEvent: 1.2,
  eventBridgeEventsPerEvent: 0,
  httpApiRequestsPerEvent: 0,
};

const line = (item: string) => costPerMillion(flow, ROUND_PRICES).find((l) => l.item === item);

describe('what a million finishes cost', () => {
  it('stretches the CPU by the share of a vCPU Lambda gives the memory (a whole one at 1,769 MB)', () => {
    // 10 ms of CPU at 256 MB take 10 × 1769 / 256 ms, after the 500 ms of waiting.
    expect(durationMs(finish)).toBeCloseTo(500 + (10 * 1769) / 256, 6);
    // At or above a whole vCPU the CPU takes what it took.
    expect(durationMs({ ...finish, memoryMb: 3538 })).toBe(510);
  });

  it('prices invocations and GB-seconds at the function’s architecture', () => {
    expect(line('Lambda requests')).toMatchObject({ quantity: 100_000, dollars: 0.02 });
    const gbSeconds = 100_000 * (durationMs(finish) / 1000) * 0.25;
    expect(line('Lambda duration')?.quantity).toBeCloseTo(gbSeconds, 6);
    expect(line('Lambda duration')?.dollars).toBeCloseTo(gbSeconds * 0.00001, 9);
    const x86 = costPerMillion(
      { ...flow, functions: [{ ...finish, architecture: 'x86_64' }] },
      ROUND_PRICES,
    ).find((l) => l.item === 'Lambda duration');
    expect(x86?.dollars).toBeCloseTo(gbSeconds * 0.00002, 9);
  });

  it('prices write and read units, SQS requests, events and API requests per event', () => {
    expect(line('DynamoDB writes')).toMatchObject({ quantity: 4e6, dollars: 4 });
    expect(line('DynamoDB reads')).toMatchObject({ quantity: 5e5, dollars: 0.125 });
    expect(line('SQS requests')?.dollars).toBeCloseTo(0.48, 9);
    expect(line('EventBridge events')?.dollars).toBe(0);
    expect(line('API Gateway requests')?.dollars).toBe(0);
  });

  it("counts every printed byte and Lambda's own lines into the logs", () => {
    // (600 printed + 400 of Lambda's) per invocation, 100,000 invocations.
    const gb = (100_000 * 1000) / 1024 ** 3;
    expect(line('CloudWatch Logs ingestion')?.quantity).toBeCloseTo(gb, 9);
    expect(line('CloudWatch Logs ingestion')?.dollars).toBeCloseTo(gb * 0.5, 9);
  });

  it('adds the lines up, and sums the functions of a flow', () => {
    const lines = costPerMillion(flow, ROUND_PRICES);
    expect(totalDollars(lines)).toBeCloseTo(
      lines.reduce((all, each) => all + each.dollars, 0),
      12,
    );
    const twice = costPerMillion({ ...flow, functions: [finish, finish] }, ROUND_PRICES);
    expect(twice.find((l) => l.item === 'Lambda requests')?.quantity).toBe(200_000);
  });

  it('uses the list prices it states', () => {
    expect(US_EAST_1.dynamoDbWriteUnit * 1e6).toBeCloseTo(0.625, 9);
    expect(US_EAST_1.lambdaGbSecond.arm64).toBeLessThan(US_EAST_1.lambdaGbSecond.x86_64);
  });
});
