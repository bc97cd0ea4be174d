import { countsBetween, type OperationCounts } from '../dynamodb-counter.ts';
import { processCpuMicros } from '../process-cpu.ts';
import type { BenchServices } from '../services.ts';
import type { WorkerProcess } from '../worker-process.ts';
import type { RoundReport } from '../worker-protocol.ts';

/**
 * What the bench measures warm: `finish` as ours, the floor, the peer and a second, identical
 * floor (`floor-twin`: how far it strays from the floor is the noise); and the other functions.
 */
export type Variant =
  | 'ours'
  | 'floor'
  | 'peer'
  | 'floor-twin'
  | 'callback'
  | 'publish'
  | 'reconcile';

export const FINISH_VARIANTS: readonly Variant[] = ['ours', 'floor', 'peer', 'floor-twin'];

export type RoundKind = 'warm-up' | 'measured' | 'duplicate';

/** One warm instance, and what one round of it is. */
export interface Participant {
  readonly variant: Variant;
  readonly worker: WorkerProcess;
  /** Units per round: events, requests, records or runs. */
  readonly units: number;
  readonly batchSize: number;
  /** Package ids a unit takes (a reconcile run finds several). */
  readonly packagesPerUnit: number;
  /** Sets the scene before a round, outside its measurement (the simulator, seeded packages). */
  readonly prepare?: (firstPackageId: number, packages: number) => Promise<void>;
}

export interface RoundSample {
  readonly variant: Variant;
  readonly kind: RoundKind;
  readonly firstPackageId: number;
  readonly packages: number;
  readonly report: RoundReport;
  /** When the worker was at it, on the profile's clock: one stretch per slice. */
  readonly windows: readonly { readonly from: number; readonly to: number }[];
  /** DynamoDB Local's CPU during the round; undefined where it cannot be read. */
  readonly serverCpuMicros: number | undefined;
  readonly dynamoDb: OperationCounts;
  readonly signingHub: Readonly<Record<'authenticate' | 'finish' | 'workflow', number>>;
}

/**
 * Round orders from a balanced Latin square (Williams): over a cycle each variant goes first, and
 * follows each other variant, equally often, so no one always inherits the same neighbour's mess.
 */
export const balancedOrders = <T>(items: readonly T[]): T[][] => {
  const n = items.length;
  const rows = Array.from({ length: n }, (_, row) =>
    Array.from({ length: n }, (_, column) => {
      const step = Math.ceil(column / 2);
      const offset = column % 2 === 1 ? step : n - step;
      return items[(row + offset) % n] as T;
    }),
  );
  // With an odd count the mirrored rows are needed too for every pair to be balanced.
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
};

/** Hands out package ids that never overlap, and remembers whose they are. */
export class PackageIds {
  #next = 1;
  readonly #ranges: { first: number; count: number; variant: Variant }[] = [];

  take(variant: Variant, count: number): number {
    const first = this.#next;
    this.#next += count;
    this.#ranges.push({ first, count, variant });
    return first;
  }

  /** Whose package this is, or undefined for one the bench never handed out. */
  ownerOf(packageId: number): Variant | undefined {
    let low = 0;
    let high = this.#ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = this.#ranges[middle];
      if (!range) return undefined;
      if (packageId < range.first) high = middle - 1;
      else if (packageId >= range.first + range.count) low = middle + 1;
      else return range.variant;
    }
    return undefined;
  }
}

/**
 * How a participant's units for one round are cut into `slices` of whole invocations, spread as
 * evenly as the invocations allow (a slice may hold none).
 */
export const slicePlan = (units: number, batchSize: number, slices: number): number[] => {
  const plan = Array.from({ length: slices }, () => 0);
  const batches = Math.ceil(units / batchSize);
  for (let batch = 0; batch < batches; batch += 1) {
    const slice = Math.floor((batch * slices) / batches);
    plan[slice] = (plan[slice] ?? 0) + Math.min(batchSize, units - batch * batchSize);
  }
  return plan;
};

/** One slice of a round of one participant: its worker's report, and what the services saw. */
export const runSlice = async (
  services: BenchServices,
  participant: Participant,
  kind: RoundKind,
  slice: { readonly firstPackageId: number; readonly units: number; readonly last: boolean },
): Promise<RoundSample> => {
  const { counter, simulator } = services;
  const dynamoBefore = counter.counts();
  const before = {
    authenticate: simulator.count('authenticate'),
    finish: simulator.count('finish'),
    workflow: simulator.count('workflow'),
  };
  const serverBefore = processCpuMicros(services.dynamoDbLocalPid);
  const report = await participant.worker.run({
    type: 'round',
    firstPackageId: slice.firstPackageId,
    events: slice.units,
    batchSize: participant.batchSize,
    collect: slice.last,
  });
  const serverAfter = processCpuMicros(services.dynamoDbLocalPid);
  return {
    variant: participant.variant,
    kind,
    firstPackageId: slice.firstPackageId,
    packages: slice.units * participant.packagesPerUnit,
    report,
    windows: [{ from: report.startedAtMicros, to: report.endedAtMicros }],
    serverCpuMicros:
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : serverAfter - serverBefore,
    dynamoDb: countsBetween(dynamoBefore, counter.counts()),
    signingHub: {
      authenticate: simulator.count('authenticate') - before.authenticate,
      finish: simulator.count('finish') - before.finish,
      workflow: simulator.count('workflow') - before.workflow,
    },
  };
};

const plus = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
  const total: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) total[key] = (total[key] ?? 0) + value;
  return total;
};

/** The report fields that add up over slices. */
const SUMMED = [
  'events',
  'invocations',
  'wallMs',
  'cpuMicros',
  'failures',
  'logBytes',
  'logLines',
  'emfBlobs',
  'emfBytes',
  'gcMinor',
  'gcMajor',
  'gcMs',
] as const;

/** Two slices of one participant's round, as one. */
const combine = (a: RoundSample, b: RoundSample): RoundSample => {
  const report: { -readonly [Key in keyof RoundReport]: RoundReport[Key] } = { ...a.report };
  for (const key of SUMMED) report[key] = a.report[key] + b.report[key];
  report.latenciesMs = [...a.report.latenciesMs, ...b.report.latenciesMs];
  report.endedAtMicros = b.report.endedAtMicros;
  return {
    ...a,
    packages: a.packages + b.packages,
    report,
    windows: [...a.windows, ...b.windows],
    serverCpuMicros:
      a.serverCpuMicros === undefined || b.serverCpuMicros === undefined
        ? undefined
        : a.serverCpuMicros + b.serverCpuMicros,
    dynamoDb: plus(a.dynamoDb, b.dynamoDb),
    signingHub: {
      authenticate: a.signingHub.authenticate + b.signingHub.authenticate,
      finish: a.signingHub.finish + b.signingHub.finish,
      workflow: a.signingHub.workflow + b.signingHub.workflow,
    },
  };
};

/** A round's slices of one participant, as one sample. */
export const mergeSlices = (slices: readonly RoundSample[]): RoundSample => {
  const [first, ...rest] = slices;
  if (!first) throw new Error('a round without slices');
  return rest.reduce(combine, first);
};
