import { describe, expect, it } from 'vitest';
import type { Flow } from '../../bench/cost/cost.ts';
import { US_EAST_1 } from '../../bench/cost/prices.ts';
import { costRows } from '../../bench/report/cost-rows.ts';
import { Report } from '../../bench/report/report.ts';
import { warmRows } from '../../bench/report/warm-rows.ts';
import type { Variant } from '../../bench/warm/rounds.ts';
import type { VariantSummary } from '../../bench/warm/summary.ts';

const ROUNDS = 20;

/**
 * A variant whose rounds took `cpu` µs and `wall` ms per event, give or take 1% (ours' rounds vary
 * the other way from everyone else's, so that equal figures straddle 1× round by round).
 */
const variant = (name: Variant, cpu: number, wall: number): VariantSummary => {
  const phase = name === 'ours' ? -1 : 1;
  const spread = (value: number) =>
    Array.from({ length: ROUNDS }, (_, round) => value * (1 + phase * ((round % 5) - 2) * 0.005));
  return {
    variant: name,
    rounds: ROUNDS,
    events: ROUNDS * 50,
    invocations: ROUNDS * 5,
    cpuMicros: cpu * ROUNDS * 50,
    wallMs: wall * ROUNDS * 50,
    failures: 0,
    logBytes: 0,
    logLines: 0,
    emfBlobs: 0,
    emfBytes: 0,
    serverCpuMicros: undefined,
    latenciesMs: [],
    gcMicros: 0,
    cpuPerEvent: spread(cpu),
    cpuPerInvocation: spread(cpu * 10),
    wallPerEvent: spread(wall),
    requestEvents: ROUNDS * 50,
    requestInvocations: ROUNDS * 5,
    dynamoDb: { UpdateItem: ROUNDS * 150 },
    authentications: 20,
    finishes: ROUNDS * 50,
    workflows: 0,
    duplicates: { events: 0, dynamoDb: {}, finishes: 0 },
  };
};

/** The verdicts of the warm rows for ours against a floor at 2,000 µs and a peer. */
const warmVerdicts = (ours: { cpu: number; wall: number }, peer: { cpu: number; wall: number }) => {
  const report = new Report();
  warmRows(
    report,
    new Map([
      ['ours', variant('ours', ours.cpu, ours.wall)],
      ['floor', variant('floor', 2_000, 3)],
      ['peer', variant('peer', peer.cpu, peer.wall)],
    ]),
    undefined,
  );
  return new Map(report.verdicts.map(({ target, state }) => [target, state]));
};

describe('the bench judges ours against the floor and the peer (issue: ahead of the peer)', () => {
  it('finish CPU per event: at most 1.1× the floor and at most the peer', () => {
    const ahead = warmVerdicts({ cpu: 2_150, wall: 3 }, { cpu: 2_200, wall: 3 });
    expect(ahead.get('finish CPU per event ≤ 1.1× floor')).toBe('met');
    expect(ahead.get('finish CPU per event ≤ peer')).toBe('met');

    const behind = warmVerdicts({ cpu: 2_300, wall: 3 }, { cpu: 2_200, wall: 3 });
    expect(behind.get('finish CPU per event ≤ 1.1× floor')).toBe('missed');
    expect(behind.get('finish CPU per event ≤ peer')).toBe('missed');
  });

  it('events per second: met at or above the peer, missed only when slower beyond the noise', () => {
    const target = 'finish events per second not below the peer beyond noise';
    const cpu = { cpu: 2_000, wall: 3 };
    expect(warmVerdicts({ cpu: 2_000, wall: 2.9 }, cpu).get(target)).toBe('met');
    expect(warmVerdicts({ cpu: 2_000, wall: 3 }, cpu).get(target)).toBe('within noise');
    expect(warmVerdicts({ cpu: 2_000, wall: 3.3 }, cpu).get(target)).toBe('missed');
  });
});

const flow = (writeUnitsPerEvent: number, cpuMicrosPerInvocation: number): Flow => ({
  functions: [
    {
      name: 'finish',
      memoryMb: 256,
      architecture: 'arm64',
      invocationsPerEvent: 0.1,
      cpuMicrosPerInvocation,
      waitMsPerInvocation: 500,
      logBytesPerInvocation: 5_000,
    },
  ],
  writeUnitsPerEvent,
  readUnitsPerEvent: 0,
  sqsRequestsPerEvent: 1.2,
  eventBridgeEventsPerEvent: 0,
  httpApiRequestsPerEvent: 0,
});

const costVerdicts = (ours: Flow, peer: Flow) => {
  const report = new Report();
  costRows({ ours, peer, afterFinish: undefined }, US_EAST_1, report);
  return new Map(report.verdicts.map(({ target, state }) => [target, state]));
};

describe('the bench judges the cost of a finish against the peer', () => {
  it('write units at most the peer’s, the cost per million below it', () => {
    const same = costVerdicts(flow(4, 25_000), flow(4, 25_000));
    expect(same.get('DynamoDB write units per finish ≤ the peer’s')).toBe('met');
    // The same figures cost the same: not below.
    expect(same.get('cost per million finishes below the peer’s')).toBe('missed');

    const cheaper = costVerdicts(flow(4, 24_000), flow(4, 25_000));
    expect(cheaper.get('cost per million finishes below the peer’s')).toBe('met');

    const moreWrites = costVerdicts(flow(5, 20_000), flow(4, 25_000));
    expect(moreWrites.get('DynamoDB write units per finish ≤ the peer’s')).toBe('missed');
  });
});
