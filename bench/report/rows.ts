import type { Artifact } from '../artifacts.ts';
import type { ColdStartSamples } from '../cold-start.ts';
import { median, quantile } from '../stats.ts';
import type { WarmCallbackOutcome } from '../warm-callback.ts';
import type { WarmFinishResult } from '../warm-finish.ts';
import { atMost, emfShown, fixed, kb, micros, ms, perEvent, times } from './format.ts';
import { NOT_MEASURED, Report, type Verdict } from './report.ts';
import type { Row } from './tables.ts';
import { warmRows } from './warm-rows.ts';

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
    measure: 'warm `callback`: EMF metric blobs printed; the figures above include them',
    ours: emfShown(r.emfBlobs, r.requests),
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
  warmRows(report, results.warmFinish, results.peerMissing);
  callbackRows(report, results);
  return { rows: report.rows, verdicts: report.verdicts };
};
