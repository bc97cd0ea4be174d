import { describe, expect, it } from 'vitest';
import { finishFlow, writeUnitsPerEvent } from '../../bench/cost/flows.ts';
import { ASSUMPTIONS } from '../../bench/cost/prices.ts';
import {
  mergeSlices,
  type RoundKind,
  type RoundSample,
  type Variant,
} from '../../bench/warm/rounds.ts';
import { ratioDrift, roundRatio, summarize } from '../../bench/warm/summary.ts';

const sample = (
  variant: Variant,
  kind: RoundKind,
  cpuMicros: number,
  extra: Partial<RoundSample['report']> = {},
): RoundSample => ({
  variant,
  kind,
  firstPackageId: 1,
  packages: 10,
  report: {
    type: 'round',
    events: 10,
    invocations: 1,
    wallMs: 50,
    cpuMicros,
    failures: 0,
    latenciesMs: [50],
    logBytes: 1000,
    logLines: 2,
    emfBlobs: 1,
    emfBytes: 400,
    gcMinor: 1,
    gcMajor: 0,
    gcMs: 5,
    startedAtMicros: 0,
    endedAtMicros: 50_000,
    ...extra,
  },
  windows: [{ from: 0, to: 50_000 }],
  serverCpuMicros: 20_000,
  dynamoDb: { UpdateItem: 30 },
  signingHub: { authenticate: 0, finish: 10, workflow: 0 },
});

const samples: RoundSample[] = [
  sample('ours', 'warm-up', 90_000),
  sample('floor', 'warm-up', 60_000),
  sample('ours', 'measured', 36_000),
  sample('floor', 'measured', 30_000),
  sample('ours', 'measured', 48_000),
  sample('floor', 'measured', 40_000),
  { ...sample('ours', 'duplicate', 5_000), dynamoDb: { UpdateItem: 20 } },
];

describe('a variant over a run', () => {
  const ours = summarize(samples, 'ours');
  const floor = summarize(samples, 'floor');

  it('times the measured rounds only', () => {
    expect(ours.rounds).toBe(2);
    expect(ours.events).toBe(20);
    expect(ours.cpuMicros).toBe(84_000);
    expect(ours.cpuPerEvent).toEqual([3600, 4800]);
    expect(ours.serverCpuMicros).toBe(40_000);
  });

  it('counts requests over warm-up and measured rounds, and redeliveries apart', () => {
    expect(ours.requestEvents).toBe(30);
    expect(ours.dynamoDb).toEqual({ UpdateItem: 90 });
    expect(ours.duplicates).toEqual({ events: 10, dynamoDb: { UpdateItem: 20 }, finishes: 10 });
  });

  it('takes the ratio round by round: 1.2× in both rounds is 1.2×', () => {
    const ratio = roundRatio(ours, floor, (r) => r.cpuPerEvent);
    expect(ratio.estimate).toBeCloseTo(1.2, 10);
    expect(ratio.lo).toBeCloseTo(1.2, 10);
    expect(ratio.n).toBe(2);
  });
});

describe("the collector's pauses", () => {
  it('add up over the measured rounds', () => {
    const rounds = [
      sample('floor', 'measured', 30_000, { gcMs: 4 }),
      sample('floor', 'measured', 40_000, { gcMs: 10 }),
      sample('floor', 'warm-up', 90_000, { gcMs: 50 }),
    ];
    expect(summarize(rounds, 'floor').gcMicros).toBe(14_000);
  });
});

describe('a ratio over the run', () => {
  it('holds still when both variants move together with the machine', () => {
    // The machine halves everyone's CPU in the second half; the ratio stays 1.2.
    const rounds = [1, 1, 0.5, 0.5].flatMap((load) => [
      sample('ours', 'measured', 12_000 * load),
      sample('floor', 'measured', 10_000 * load),
    ]);
    expect(ratioDrift(summarize(rounds, 'ours'), summarize(rounds, 'floor')).estimate).toBeCloseTo(
      1,
      10,
    );
  });

  it('shows a variant still getting faster than the other', () => {
    const rounds = [12_000, 12_000, 10_800, 10_800].flatMap((cpu) => [
      sample('ours', 'measured', cpu),
      sample('floor', 'measured', 10_000),
    ]);
    expect(ratioDrift(summarize(rounds, 'ours'), summarize(rounds, 'floor')).estimate).toBeCloseTo(
      0.9,
      10,
    );
  });
});

describe('the slices of a round', () => {
  it('add up to one sample: counts and times summed, latencies and windows kept', () => {
    const first = sample('ours', 'measured', 10_000, { startedAtMicros: 100, endedAtMicros: 200 });
    const second = {
      ...sample('ours', 'measured', 12_000, { startedAtMicros: 500, endedAtMicros: 600 }),
      windows: [{ from: 500, to: 600 }],
      dynamoDb: { UpdateItem: 30, PutItem: 1 },
    };
    const round = mergeSlices([first, second]);
    expect(round.report).toMatchObject({
      events: 20,
      invocations: 2,
      cpuMicros: 22_000,
      logBytes: 2000,
      gcMinor: 2,
      startedAtMicros: 100,
      endedAtMicros: 600,
    });
    expect(round.report.latenciesMs).toEqual([50, 50]);
    expect(round.windows).toEqual([
      { from: 0, to: 50_000 },
      { from: 500, to: 600 },
    ]);
    expect(round.dynamoDb).toEqual({ UpdateItem: 60, PutItem: 1 });
    expect(round.serverCpuMicros).toBe(40_000);
    expect(round.packages).toBe(20);
  });
});

describe('a finish priced', () => {
  const ours = summarize(samples, 'ours');
  const settings = { memoryMb: 256, architecture: 'arm64' as const };

  it('charges the stream’s write units, and each write the stream did not show at the unseen rate', () => {
    // 90 writes over 30 events; the stream saw 60 of them at 80 table and 20 index units.
    const units = { changes: 60, table: 80, index: 20, largestItem: 300 };
    expect(writeUnitsPerEvent(ours, units, 1)).toBeCloseTo((100 + 30) / 30, 10);
    expect(writeUnitsPerEvent(ours, units, 2)).toBeCloseTo((100 + 60) / 30, 10);
    expect(writeUnitsPerEvent(ours, undefined, 1)).toBe(3);
  });

  it('waits for SigningHub and the round trips, with SQS per event and per batch', () => {
    const flow = finishFlow(ours, undefined, 1, settings);
    const [share] = flow.functions;
    expect(share?.invocationsPerEvent).toBeCloseTo(0.1, 10);
    expect(share?.cpuMicrosPerInvocation).toBe(42_000);
    expect(share?.waitMsPerInvocation).toBe(
      ASSUMPTIONS.signingHubFinishMs + 3 * ASSUMPTIONS.dynamoDbRequestMs,
    );
    expect(share?.logBytesPerInvocation).toBe(1000);
    expect(flow.sqsRequestsPerEvent).toBeCloseTo(
      ASSUMPTIONS.sqsSendsPerEvent + 0.1 * ASSUMPTIONS.sqsRequestsPerBatch,
      10,
    );
    expect(flow.readUnitsPerEvent).toBe(0);
  });
});
