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

/** One round of one participant: its worker's report, and what the services saw meanwhile. */
export const runRound = async (
  services: BenchServices,
  participant: Participant,
  kind: RoundKind,
  firstPackageId: number,
): Promise<RoundSample> => {
  const { counter, simulator } = services;
  const packages = participant.units * participant.packagesPerUnit;
  await participant.prepare?.(firstPackageId, packages);
  const dynamoBefore = counter.counts();
  const before = {
    authenticate: simulator.count('authenticate'),
    finish: simulator.count('finish'),
    workflow: simulator.count('workflow'),
  };
  const serverBefore = processCpuMicros(services.dynamoDbLocalPid);
  const report = await participant.worker.run({
    type: 'round',
    firstPackageId,
    events: participant.units,
    batchSize: participant.batchSize,
  });
  const serverAfter = processCpuMicros(services.dynamoDbLocalPid);
  return {
    variant: participant.variant,
    kind,
    firstPackageId,
    packages,
    report,
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
