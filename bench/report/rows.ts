import type { Artifact } from '../artifacts.ts';
import type { ColdStartSamples } from '../cold-start.ts';
import type { Prices } from '../cost/prices.ts';
import { judgeAtMost, median } from '../stats.ts';
import type { Variant } from '../warm/rounds.ts';
import type { VariantSummary } from '../warm/summary.ts';
import { budgetTable, coldImportRatio } from './budget-rows.ts';
import { type CostFlows, costRows, costTable } from './cost-rows.ts';
import { atMost, judged, kb, ms, times, withSpan } from './format.ts';
import { functionRows } from './function-rows.ts';
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
  readonly warm: ReadonlyMap<Variant, VariantSummary>;
  readonly eventBridgePuts: number;
  readonly cost: CostFlows | undefined;
  readonly prices: Prices;
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

/**
 * How long each function's bundle may take to import, ÷ the floor bundle's: `finish` and
 * `callback` are on the latency path (a signing event waiting, SigningHub waiting for its
 * answer), the others are not.
 */
const COLD_IMPORT_TARGETS: Readonly<Record<string, number>> = { finish: 1.15, callback: 1.15 };
const COLD_IMPORT_OFF_PATH = 1.25;

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
    const limit = COLD_IMPORT_TARGETS[name] ?? COLD_IMPORT_OFF_PATH;
    const target = `${name} cold import ≤ ${limit}× floor`;
    if (!samples || !floor || failure !== undefined) {
      const reason = (failure ?? NOT_MEASURED).split('\n')[0];
      report.add({
        measure: `\`${name}\` cold start`,
        ours: `not measured (${reason})`,
        target: `import ≤ ${limit}× floor`,
        result: report.judge(target, NOT_MEASURED),
      });
      continue;
    }
    const withPeer = name === 'finish' && peer && peer.error === undefined ? peer : undefined;
    for (const [label, pick, isTarget] of [
      ['process start to handler loaded, and exit', (s: ColdStartSamples) => s.processMs, false],
      ['the import alone', (s: ColdStartSamples) => s.importMs, true],
    ] as const) {
      const ratio = coldImportRatio(samples, floor, pick);
      const toPeer = coldImportRatio(samples, withPeer, pick);
      report.add({
        measure: `\`${name}\` cold start: ${label} (median; ratio per pass, 95% interval)`,
        ours: ms(median(pick(samples))),
        floor: ms(median(pick(floor))),
        ...(ratio ? { oursToFloor: withSpan(ratio) } : {}),
        ...(withPeer && toPeer
          ? { peer: ms(median(pick(withPeer))), oursToPeer: withSpan(toPeer) }
          : {}),
        ...(isTarget && ratio
          ? {
              target: `≤ ${limit}× floor`,
              result: report.judge(target, judged(judgeAtMost(ratio, limit), ratio)),
            }
          : {}),
      });
    }
  }
};

/** The tables of a run, and a verdict for each target and budget. */
export const buildTables = (
  results: BenchResults,
): {
  rows: Row[];
  cost: { header: string[]; rows: string[][] } | undefined;
  budgets: { header: string[]; rows: string[][] };
  verdicts: Verdict[];
} => {
  const report = new Report();
  artifactRows(report, results);
  coldRows(report, results);
  warmRows(report, results.warm, results.peerMissing);
  functionRows(report, results.warm, { eventBridgePuts: results.eventBridgePuts });
  if (results.cost)
    for (const row of costRows(results.cost, results.prices, report)) report.add(row);
  const cold = new Map(results.coldStarts.map((samples) => [samples.name, samples]));
  const budgets = budgetTable(report, results.functions, cold, results.warm);
  return {
    rows: report.rows,
    cost: results.cost ? costTable(results.cost, results.prices) : undefined,
    budgets,
    verdicts: report.verdicts,
  };
};
