import { type OperationCounts, WRITE_OPERATIONS } from '../dynamodb-counter.ts';
import { SIGNER_COUNT } from '../events.ts';
import { type Interval, judgeAtMost, sum } from '../stats.ts';
import type { Variant } from '../warm/rounds.ts';
import { ratioDrift, roundRatio, type VariantSummary } from '../warm/summary.ts';
import { atMost, emfShown, fixed, judged, micros, ms, perEvent, span, withSpan } from './format.ts';
import { NOT_MEASURED, type Report } from './report.ts';

const writes = (counts: OperationCounts): number =>
  sum(Object.entries(counts).map(([op, count]) => (WRITE_OPERATIONS.has(op) ? count : 0)));

const cpuPerEvent = (r: VariantSummary) => r.cpuPerEvent;
const wallPerEvent = (r: VariantSummary) => r.wallPerEvent;

/** Ours' warm finish CPU per event may be at most this many times the floor's. */
export const CPU_TO_FLOOR = 1.1;

/** The noise target: two identical floors, per round, within 5% of each other. */
export const NOISE_LIMITS = { lo: 0.95, hi: 1.05 } as const;

export const noiseVerdict = (interval: Interval): string =>
  interval.lo >= NOISE_LIMITS.lo && interval.hi <= NOISE_LIMITS.hi
    ? 'met'
    : `**missed** (${span(interval)})`;

/** The three columns of a warm measure, and ours' per-round ratios to the floor and the peer. */
const compare = (
  ours: VariantSummary,
  floor: VariantSummary,
  peer: VariantSummary | undefined,
  total: (r: VariantSummary) => number,
  shown: (value: number) => string,
  series?: (r: VariantSummary) => readonly number[],
) => ({
  ours: shown(total(ours)),
  floor: shown(total(floor)),
  ...(series ? { oursToFloor: withSpan(roundRatio(ours, floor, series)) } : {}),
  ...(peer ? { peer: shown(total(peer)) } : {}),
  ...(peer && series ? { oursToPeer: withSpan(roundRatio(ours, peer, series)) } : {}),
});

/** The warm finish rows: ours beside the floor and the peer, and the noise between two floors. */
export const warmRows = (
  report: Report,
  warm: ReadonlyMap<Variant, VariantSummary>,
  peerMissing: string | undefined,
): void => {
  const ours = warm.get('ours');
  const floor = warm.get('floor');
  const peer = warm.get('peer');
  const twin = warm.get('floor-twin');
  if (!ours || !floor) return;
  const rounds = `${ours.rounds} rounds of ${fixed(ours.events / ours.rounds, 0)} events`;

  const cpuToFloor = roundRatio(ours, floor, cpuPerEvent);
  const cpuToPeer = peer && roundRatio(ours, peer, cpuPerEvent);
  report.add({
    measure: `warm \`finish\`: CPU per event, the worker process's own (${rounds}; ratios: per-round ratios' trimmed geometric mean and 95% interval)`,
    ...compare(ours, floor, peer, (r) => r.cpuMicros / r.events, micros, cpuPerEvent),
    target: `≤ ${CPU_TO_FLOOR}× floor, ≤ peer`,
    result: [
      `floor: ${report.judge(
        `finish CPU per event ≤ ${CPU_TO_FLOOR}× floor`,
        judged(judgeAtMost(cpuToFloor, CPU_TO_FLOOR), cpuToFloor),
      )}`,
      `peer: ${report.judge(
        'finish CPU per event ≤ peer',
        cpuToPeer ? judged(judgeAtMost(cpuToPeer, 1), cpuToPeer) : NOT_MEASURED,
      )}`,
    ].join('; '),
  });
  if (twin) {
    const noise = roundRatio(twin, floor, cpuPerEvent);
    report.add({
      measure:
        'noise: a second, identical floor ÷ the floor, CPU per event per round (95% interval)',
      ours: span(noise),
      target: `${span({ ...noise, lo: NOISE_LIMITS.lo, hi: NOISE_LIMITS.hi })}`,
      result: report.judge('noise interval within 0.95×–1.05×', noiseVerdict(noise)),
    });
    report.add({
      measure: 'noise in wall time: the second floor ÷ the floor, time per event per round',
      ours: span(roundRatio(twin, floor, wallPerEvent)),
    });
  }
  const wallRatio = roundRatio(ours, floor, wallPerEvent);
  report.add({
    measure: 'warm `finish`: wall time per event',
    ...compare(ours, floor, peer, (r) => r.wallMs / r.events, ms, wallPerEvent),
    target: '≤ 1.2× floor',
    result: report.judge(
      'finish time per event ≤ 1.2× floor',
      judged(judgeAtMost(wallRatio, 1.2), wallRatio),
    ),
  });
  // Events per second, judged on its inverse round by round: ours' time per event ÷ the peer's.
  const wallToPeer = peer && roundRatio(ours, peer, wallPerEvent);
  report.add({
    measure:
      'warm `finish`: events per second, one instance (judged on time per event per round, ours ÷ peer)',
    ...compare(
      ours,
      floor,
      peer,
      (r) => (r.events / r.wallMs) * 1000,
      (v) => fixed(v, 0),
    ),
    ...(wallToPeer ? { oursToPeer: `time per event ${withSpan(wallToPeer)}` } : {}),
    target: 'not below peer beyond noise',
    result: report.judge(
      'finish events per second not below the peer beyond noise',
      // Met when all of the interval is at or under 1×; within noise (accepted) when it straddles.
      wallToPeer ? judged(judgeAtMost(wallToPeer, 1), wallToPeer) : NOT_MEASURED,
    ),
  });
  const drifts = [
    ['ours ÷ floor', ours],
    ['peer ÷ floor', peer],
    ['second floor ÷ floor', twin],
  ] as const;
  report.add({
    measure:
      'steady state: each CPU ratio in the second half of the measured rounds ÷ the same in the first (95% interval)',
    ours: drifts
      .flatMap(([label, r]) => (r ? [`${label} ${withSpan(ratioDrift(r, floor))}`] : []))
      .join('; '),
  });
  report.add({
    measure:
      'warm `finish`: EMF metric blobs printed (namespace SigningHubFinish); the figures above include them',
    ours: emfShown(ours.emfBlobs, ours.invocations),
    floor: 'none (it has no metrics)',
    ...(peer
      ? { peer: peer.emfBlobs > 0 ? emfShown(peer.emfBlobs, peer.invocations) : 'none' }
      : {}),
  });
  report.add({
    measure: 'warm `finish`: log bytes per event, every line printed (lines per event)',
    ...compare(
      ours,
      floor,
      peer,
      (r) => r.logBytes / r.events,
      (v) => `${fixed(v, 0)} B`,
    ),
    ours: `${fixed(ours.logBytes / ours.events, 0)} B (${fixed(ours.logLines / ours.events)})`,
  });
  report.add({
    measure:
      'warm `finish`: the collector’s pauses per event, main thread (in the CPU above; each round’s closing scavenge included)',
    ...compare(ours, floor, peer, (r) => r.gcMicros / r.events, micros),
  });
  const server = (r: VariantSummary) => (r.serverCpuMicros ?? 0) / r.events;
  if ([ours, floor, peer].every((r) => r === undefined || r.serverCpuMicros !== undefined)) {
    report.add({
      measure: 'DynamoDB Local CPU per event (the server side of those writes)',
      ...compare(ours, floor, peer, server, micros),
    });
  }
  // Requests are shown, not judged: what DynamoDB bills is write units (the cost rows judge them).
  report.add({
    measure: 'DynamoDB requests per event, by operation',
    ours: perEvent(ours.dynamoDb, ours.requestEvents),
    floor: perEvent(floor.dynamoDb, floor.requestEvents),
    ...(peer ? { peer: perEvent(peer.dynamoDb, peer.requestEvents) } : {}),
  });
  const writesPerFinish = (r: VariantSummary) =>
    writes(r.dynamoDb) / (r.requestEvents - r.failures);
  report.add({
    measure: 'DynamoDB writes per successful finish',
    ...compare(ours, floor, peer, writesPerFinish, (value) => fixed(value)),
    target: '≤ 3',
    result: report.judge(
      '≤ 3 DynamoDB writes per successful finish',
      atMost(writesPerFinish(ours), 3, (value) => fixed(value)),
    ),
  });
  const auth = (r: VariantSummary | undefined) =>
    r && `${r.authentications} for ${SIGNER_COUNT} scopes`;
  report.add({
    measure: `SigningHub authentications over ${ours.requestEvents} events`,
    ours: auth(ours) ?? '',
    floor: auth(floor),
    peer: auth(peer),
    target: 'one per scope per token lifetime',
    result: report.judge(
      'one authentication per scope per token lifetime',
      atMost(ours.authentications, SIGNER_COUNT, (value) => `${value} for ${SIGNER_COUNT} scopes`),
    ),
  });
  report.add({
    measure: 'SigningHub finishes per event',
    ...compare(
      ours,
      floor,
      peer,
      (r) => r.finishes / r.requestEvents,
      (value) => fixed(value),
    ),
  });
  if (ours.duplicates.events > 0 && floor.duplicates.events > 0) {
    report.add({
      measure: `a redelivered event, already finished (${ours.duplicates.events} each): DynamoDB requests`,
      ours: perEvent(ours.duplicates.dynamoDb, ours.duplicates.events),
      floor: perEvent(floor.duplicates.dynamoDb, floor.duplicates.events),
      ...(peer ? { peer: perEvent(peer.duplicates.dynamoDb, peer.duplicates.events) } : {}),
    });
    report.add({
      measure: 'a redelivered event, already finished: SigningHub finishes sent',
      ...compare(ours, floor, peer, (r) => r.duplicates.finishes, String),
      target: '0 (the contract)',
      result: report.judge(
        'no finish sent again for a redelivered event',
        ours.duplicates.finishes === 0 ? 'met' : `**missed**: ${ours.duplicates.finishes} sent`,
      ),
    });
  }
  if (!peer)
    report.add({
      measure: 'peer (Powertools)',
      ours: `not measured: ${peerMissing ?? NOT_MEASURED}`,
    });
  const unclean = [ours, floor, peer, twin].filter((r) => r !== undefined && r.failures > 0);
  if (unclean.length > 0) {
    report.add({
      measure: '**events handed back to SQS: this run is not clean**',
      ...compare(ours, floor, peer, (r) => r.failures, String),
    });
  }
};
