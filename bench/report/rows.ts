import type { Artifact } from '../artifacts.ts';
import type { ColdStartSamples } from '../cold-start.ts';
import { type OperationCounts, WRITE_OPERATIONS } from '../dynamodb-counter.ts';
import { median, quantile, sum } from '../stats.ts';
import type { WarmCallbackOutcome } from '../warm-callback.ts';
import type { WarmFinishResult } from '../warm-finish.ts';
import { atLeast, atMost, fixed, kb, micros, ms, times } from './format.ts';
import type { Row } from './tables.ts';

export interface BenchResults {
  readonly functions: readonly Artifact[];
  readonly floor: Artifact;
  /** Undefined when the peer could not be built; `peerMissing` says why. */
  readonly peer: Artifact | undefined;
  readonly peerMissing: string | undefined;
  readonly coldStarts: readonly ColdStartSamples[];
  readonly coldRuns: number;
  readonly warmFinish: readonly WarmFinishResult[];
  readonly callback: WarmCallbackOutcome;
}

/** One of the targets: met, missed, or not measured in this run (undefined). */
export interface Verdict {
  readonly target: string;
  readonly met: boolean | undefined;
  readonly text: string;
}

const NOT_MEASURED = 'not measured';

class Report {
  readonly rows: Row[] = [];
  readonly verdicts: Verdict[] = [];

  add(row: Row): void {
    this.rows.push(row);
  }

  /** Records a target's verdict and returns its text for the row's result cell. */
  judge(target: string, text: string): string {
    this.verdicts.push({ target, met: text === NOT_MEASURED ? undefined : text === 'met', text });
    return text;
  }
}

const perEvent = (counts: OperationCounts, events: number): string => {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${fixed(count / events)}`);
  return `${fixed(sum(Object.values(counts)) / events)} (${parts.join(', ') || 'none'})`;
};

const writes = (counts: OperationCounts): number =>
  sum(Object.entries(counts).map(([op, count]) => (WRITE_OPERATIONS.has(op) ? count : 0)));

const artifactRows = (report: Report, { functions, floor, peer }: BenchResults): void => {
  for (const artifact of functions) {
    const row: Row = {
      measure: `\`${artifact.name}\` deployment zip (bundle ${kb(artifact.bundleBytes)})`,
      ours: kb(artifact.zipBytes),
    };
    if (artifact.name !== 'finish') {
      report.add(row);
      continue;
    }
    report.add({
      ...row,
      floor: `${kb(floor.zipBytes)} (bundle ${kb(floor.bundleBytes)})`,
      oursToFloor: times(artifact.zipBytes / floor.zipBytes),
      ...(peer
        ? {
            peer: `${kb(peer.zipBytes)} (bundle ${kb(peer.bundleBytes)})`,
            oursToPeer: times(artifact.zipBytes / peer.zipBytes),
          }
        : {}),
      target: '≤ 250 KB',
      result: report.judge(
        'finish artifact ≤ 250 KB',
        atMost(artifact.zipBytes / 1024, 250, (value) => `${value.toFixed(1)} KB`),
      ),
    });
  }
};

const coldRows = (report: Report, results: BenchResults): void => {
  const cold = new Map(results.coldStarts.map((samples) => [samples.name, samples]));
  const floor = cold.get('floor');
  const peer = cold.get('peer');
  const empty = cold.get('empty');
  if (empty && empty.error === undefined) {
    report.add({
      measure: `cold start: a Node process importing nothing (median of ${results.coldRuns})`,
      ours: ms(median(empty.processMs)),
    });
  }
  for (const { name } of results.functions) {
    const samples = cold.get(name);
    const failure = samples?.error ?? floor?.error;
    const target = `${name} cold start ≤ 1.25× floor`;
    if (!samples || !floor || failure !== undefined) {
      const reason = (failure ?? NOT_MEASURED).split('\n')[0];
      report.add({
        measure: `\`${name}\` cold start`,
        ours: `not measured (${reason})`,
        target: '≤ 1.25× floor',
        result: report.judge(target, NOT_MEASURED),
      });
      continue;
    }
    const withPeer = name === 'finish' && peer && peer.error === undefined ? peer : undefined;
    for (const [label, pick, judged] of [
      ['process start to handler loaded, and exit', (s: ColdStartSamples) => s.processMs, true],
      ['the import alone', (s: ColdStartSamples) => s.importMs, false],
    ] as const) {
      const ours = median(pick(samples));
      const ratio = ours / median(pick(floor));
      const result = atMost(ratio, 1.25, times);
      report.add({
        measure: `\`${name}\` cold start: ${label}`,
        ours: ms(ours),
        floor: ms(median(pick(floor))),
        oursToFloor: times(ratio),
        ...(withPeer
          ? {
              peer: ms(median(pick(withPeer))),
              oursToPeer: times(ours / median(pick(withPeer))),
            }
          : {}),
        target: '≤ 1.25× floor',
        result: judged ? report.judge(target, result) : result,
      });
    }
  }
};

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

const warmRows = (report: Report, results: BenchResults): void => {
  const warm = new Map(results.warmFinish.map((result) => [result.variant, result]));
  const ours = warm.get('ours');
  const floor = warm.get('floor');
  const peer = warm.get('peer');
  const twin = warm.get('floor-twin');
  if (!ours || !floor) return;
  const rateNoise = twin && Math.abs(1 - rate(twin) / rate(floor));
  const cpuNoise = twin && Math.abs(1 - cpuPerEvent(twin) / cpuPerEvent(floor));
  const missingPeer = results.peerMissing ?? NOT_MEASURED;

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

const callbackRows = (report: Report, { callback }: BenchResults): void => {
  if (!callback.measured) {
    report.add({ measure: 'callback', ours: `not measured (${callback.reason})` });
    return;
  }
  const r = callback.result;
  report.add({
    measure: `warm \`callback\`: requests per second (${r.requests} GETs, one at a time)`,
    ours: fixed((r.requests / r.wallMs) * 1000, 0),
  });
  report.add({
    measure: 'warm `callback`: latency p50 / p99',
    ours: `${ms(quantile(r.latenciesMs, 0.5))} / ${ms(quantile(r.latenciesMs, 0.99))}`,
  });
  report.add({
    measure: 'warm `callback`: CPU per request',
    ours: micros(r.cpuMicros / r.requests),
  });
  report.add({
    measure: '`callback`: requests per callback',
    ours:
      `DynamoDB ${perEvent(r.dynamoDb, r.requests)}; ` +
      `SigningHub workflow ${fixed(r.workflowRequests / r.requests)}`,
  });
  if (r.failures > 0) {
    report.add({ measure: '**callback answers other than 200**', ours: String(r.failures) });
  }
};

/** The table's rows, and a verdict for each of the targets. */
export const buildRows = (results: BenchResults): { rows: Row[]; verdicts: Verdict[] } => {
  const report = new Report();
  artifactRows(report, results);
  coldRows(report, results);
  warmRows(report, results);
  callbackRows(report, results);
  return { rows: report.rows, verdicts: report.verdicts };
};
