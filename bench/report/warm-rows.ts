import { type OperationCounts, WRITE_OPERATIONS } from '../dynamodb-counter.ts';
import { sum } from '../stats.ts';
import type { WarmFinishResult } from '../warm-finish.ts';
import { atLeast, atMost, emfShown, fixed, micros, ms, perEvent, times } from './format.ts';
import { NOT_MEASURED, type Report } from './report.ts';

const writes = (counts: OperationCounts): number =>
  sum(Object.entries(counts).map(([op, count]) => (WRITE_OPERATIONS.has(op) ? count : 0)));

const rate = (r: WarmFinishResult) => (r.events / r.wallMs) * 1000;
const wallPerEvent = (r: WarmFinishResult) => r.wallMs / r.events;
const cpuPerEvent = (r: WarmFinishResult) => r.cpuMicros / r.events;
const requestsPerEvent = (r: WarmFinishResult) => sum(Object.values(r.dynamoDb)) / r.requestEvents;
const duplicateRequests = (r: WarmFinishResult) =>
  sum(Object.values(r.duplicates.dynamoDb)) / r.duplicates.events;

/** The three columns of a warm measure, and ours' ratios to the floor and the peer. */
const compare = (
  ours: WarmFinishResult,
  floor: WarmFinishResult,
  peer: WarmFinishResult | undefined,
  value: (r: WarmFinishResult) => number,
  shown: (value: number) => string,
) => ({
  ours: shown(value(ours)),
  floor: shown(value(floor)),
  oursToFloor: times(value(ours) / value(floor)),
  ...(peer ? { peer: shown(value(peer)), oursToPeer: times(value(ours) / value(peer)) } : {}),
});

/** The warm finish rows: ours beside the floor and the peer, and the noise between two floors. */
export const warmRows = (
  report: Report,
  warmFinish: readonly WarmFinishResult[],
  peerMissing: string | undefined,
): void => {
  const warm = new Map(warmFinish.map((result) => [result.variant, result]));
  const ours = warm.get('ours');
  const floor = warm.get('floor');
  const peer = warm.get('peer');
  const twin = warm.get('floor-twin');
  if (!ours || !floor) return;
  const rateNoise = twin && Math.abs(1 - rate(twin) / rate(floor));
  const cpuNoise = twin && Math.abs(1 - cpuPerEvent(twin) / cpuPerEvent(floor));
  const missingPeer = peerMissing ?? NOT_MEASURED;

  report.add({
    measure: `warm \`finish\`: events per second (${ours.events} events, batches of 10)`,
    ...compare(ours, floor, peer, rate, (value) => fixed(value, 0)),
    target: '≥ 1.5× peer',
    result: report.judge(
      'finish events/s ≥ 1.5× peer',
      peer ? atLeast(rate(ours) / rate(peer), 1.5, times, rateNoise) : NOT_MEASURED,
    ),
  });
  report.add({
    measure: 'warm `finish`: wall time per event',
    ...compare(ours, floor, peer, wallPerEvent, ms),
    target: '≤ 1.2× floor',
    result: report.judge(
      'finish time per event ≤ 1.2× floor',
      atMost(wallPerEvent(ours) / wallPerEvent(floor), 1.2, times, rateNoise),
    ),
  });
  report.add({
    measure: 'warm `finish`: CPU per event (user + system, all threads)',
    ...compare(ours, floor, peer, cpuPerEvent, micros),
    target: '≤ 1.2× floor',
    result: atMost(cpuPerEvent(ours) / cpuPerEvent(floor), 1.2, times, cpuNoise),
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
  if (twin) {
    report.add({
      measure: 'noise check: a second, identical floor instance ÷ the floor',
      ours:
        `events/s ${times(rate(twin) / rate(floor))}, ` +
        `CPU per event ${times(cpuPerEvent(twin) / cpuPerEvent(floor))}`,
      target: '1.00×',
    });
  }
  const server = (r: WarmFinishResult) => (r.serverCpuMicros ?? 0) / r.events;
  if ([ours, floor, peer].every((r) => r === undefined || r.serverCpuMicros !== undefined)) {
    report.add({
      measure: 'DynamoDB Local CPU per event (the server side of those writes)',
      ...compare(ours, floor, peer, server, micros),
    });
  }
  report.add({
    measure: 'DynamoDB requests per event, by operation',
    ours: perEvent(ours.dynamoDb, ours.requestEvents),
    floor: perEvent(floor.dynamoDb, floor.requestEvents),
    oursToFloor: times(requestsPerEvent(ours) / requestsPerEvent(floor)),
    ...(peer
      ? {
          peer: perEvent(peer.dynamoDb, peer.requestEvents),
          oursToPeer: times(requestsPerEvent(ours) / requestsPerEvent(peer)),
        }
      : {}),
    target: 'fewer than peer',
    result: report.judge(
      'fewer DynamoDB requests than the peer',
      !peer
        ? NOT_MEASURED
        : requestsPerEvent(ours) < requestsPerEvent(peer)
          ? 'met'
          : `**missed**: ${fixed(requestsPerEvent(ours))} vs ${fixed(requestsPerEvent(peer))} per event`,
    ),
  });
  const writesPerFinish = (r: WarmFinishResult) =>
    writes(r.dynamoDb) / (r.requestEvents - r.failures);
  report.add({
    measure: 'DynamoDB writes per successful finish',
    ...compare(ours, floor, peer, writesPerFinish, (value) => fixed(value)),
    oursToFloor: undefined,
    oursToPeer: undefined,
    target: '≤ 3',
    result: report.judge(
      '≤ 3 DynamoDB writes per successful finish',
      atMost(writesPerFinish(ours), 3, (value) => fixed(value)),
    ),
  });
  const auth = (r: WarmFinishResult | undefined) =>
    r && `${r.authentications} for ${r.scopes} scopes`;
  report.add({
    measure: `SigningHub authentications over ${ours.requestEvents} events`,
    ours: auth(ours) ?? '',
    floor: auth(floor),
    peer: auth(peer),
    target: 'one per scope per token lifetime',
    result: report.judge(
      'one authentication per scope per token lifetime',
      atMost(ours.authentications, ours.scopes, (value) => `${value} for ${ours.scopes} scopes`),
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
    oursToFloor: undefined,
    oursToPeer: undefined,
  });
  if (ours.duplicates.events > 0 && floor.duplicates.events > 0) {
    report.add({
      measure: `a redelivered event, already finished (${ours.duplicates.events} each): DynamoDB requests`,
      ours: perEvent(ours.duplicates.dynamoDb, ours.duplicates.events),
      floor: perEvent(floor.duplicates.dynamoDb, floor.duplicates.events),
      oursToFloor: times(duplicateRequests(ours) / duplicateRequests(floor)),
      ...(peer
        ? {
            peer: perEvent(peer.duplicates.dynamoDb, peer.duplicates.events),
            oursToPeer: times(duplicateRequests(ours) / duplicateRequests(peer)),
          }
        : {}),
    });
    report.add({
      measure: 'a redelivered event, already finished: SigningHub finishes sent',
      ...compare(ours, floor, peer, (r) => r.duplicates.finishes, String),
      oursToFloor: undefined,
      oursToPeer: undefined,
      target: '0 (the contract)',
      result:
        ours.duplicates.finishes === 0 ? 'met' : `**missed**: ${ours.duplicates.finishes} sent`,
    });
  }
  if (!peer) report.add({ measure: 'peer (Powertools)', ours: `not measured: ${missingPeer}` });
  const unclean = [ours, floor, peer, twin].filter((r) => r !== undefined && r.failures > 0);
  if (unclean.length > 0) {
    report.add({
      measure: '**events handed back to SQS: this run is not clean**',
      ...compare(ours, floor, peer, (r) => r.failures, String),
      oursToFloor: undefined,
      oursToPeer: undefined,
    });
  }
};
