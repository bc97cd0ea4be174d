import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countsBetween, type OperationCounts } from './dynamodb-counter.ts';
import { SIGNER_COUNT } from './events.ts';
import { processCpuMicros } from './process-cpu.ts';
import { type BenchServices, benchFunctionEnv } from './services.ts';
import { startWorker, type WorkerProcess } from './worker-process.ts';
import type { RoundReport, Workload } from './worker-protocol.ts';

/** `floor-twin` is a second, identical floor: how far it strays from the floor is the noise. */
export type FinishVariant = 'ours' | 'floor' | 'peer' | 'floor-twin';
export const FINISH_VARIANTS: readonly FinishVariant[] = ['ours', 'floor', 'peer', 'floor-twin'];

export interface WarmFinishOptions {
  /** Measured events per variant, split evenly over the rounds. */
  readonly events: number;
  readonly batchSize: number;
  readonly rounds: number;
  /** Events each instance handles before measuring: tokens, connections, and the JIT, which
   * keeps cutting CPU per event for the first thousand or so. */
  readonly warmupEvents: number;
  /** Warm-up events delivered a second time at the end, as SQS may: requests only. */
  readonly duplicateEvents: number;
}

/** Redeliveries of events that were finished already. */
export interface DuplicateTally {
  events: number;
  dynamoDb: Record<string, number>;
  finishes: number;
}

export interface WarmFinishResult {
  readonly variant: FinishVariant;
  /** Measured events, and what they cost. */
  readonly events: number;
  readonly wallMs: number;
  readonly cpuMicros: number;
  readonly failures: number;
  /** DynamoDB Local's own CPU during the measured rounds; undefined where it cannot be read. */
  readonly serverCpuMicros: number | undefined;
  /** Requests over the whole run (warm-up included), and the events they served. */
  readonly requestEvents: number;
  readonly dynamoDb: OperationCounts;
  readonly authentications: number;
  readonly finishes: number;
  readonly scopes: number;
  readonly duplicates: DuplicateTally;
  /** Invocations of the measured rounds, and the EMF blobs they printed. */
  readonly invocations: number;
  readonly emfBlobs: number;
}

const WORKLOAD: Record<FinishVariant, Workload> = {
  ours: 'finish-ours',
  floor: 'finish-floor',
  peer: 'finish-peer',
  'floor-twin': 'finish-floor',
};

/** Powertools' documented idempotency table: `id` as the partition key. */
const createIdempotencyTable = async (client: DynamoDBClient, tableName: string) => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
};

/** The peer's idempotency records go to their own table, as its documentation has it. */
const peerTables = async (admin: DynamoDBClient): Promise<Record<string, string>> => {
  const tableName = `bench-peer-idempotency-${randomUUID()}`;
  await createIdempotencyTable(admin, tableName);
  return { IDEMPOTENCY_TABLE_NAME: tableName };
};

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

interface Tally {
  events: number;
  wallMs: number;
  cpuMicros: number;
  failures: number;
  serverCpuMicros: number | undefined;
  requestEvents: number;
  dynamoDb: Record<string, number>;
  authentications: number;
  finishes: number;
  duplicates: DuplicateTally;
  invocations: number;
  emfBlobs: number;
}

type RoundKind = 'warm-up' | 'measured' | 'duplicate';

/**
 * One warm instance per variant, measured in interleaved rounds so that the machine's noise
 * falls on all of them alike.
 */
export const measureWarmFinish = async (
  services: BenchServices,
  options: WarmFinishOptions,
  variants: readonly FinishVariant[] = FINISH_VARIANTS,
): Promise<WarmFinishResult[]> => {
  const { counter, simulator } = services;
  const workers = new Map<FinishVariant, WorkerProcess>();
  const tallies = new Map<FinishVariant, Tally>();
  let nextPackageId = 1;
  try {
    for (const variant of variants) {
      const env = {
        ...services.handlerEnv,
        ...(variant === 'peer' ? await peerTables(services.admin) : {}),
        ...benchFunctionEnv(variant),
      };
      workers.set(variant, await startWorker(WORKLOAD[variant], env));
      tallies.set(variant, {
        events: 0,
        wallMs: 0,
        cpuMicros: 0,
        failures: 0,
        serverCpuMicros: 0,
        requestEvents: 0,
        dynamoDb: {},
        authentications: 0,
        finishes: 0,
        duplicates: { events: 0, dynamoDb: {}, finishes: 0 },
        invocations: 0,
        emfBlobs: 0,
      });
    }

    const add = (into: Record<string, number>, counts: Readonly<Record<string, number>>) => {
      for (const [operation, count] of Object.entries(counts)) {
        into[operation] = (into[operation] ?? 0) + count;
      }
    };
    const warmUpStart = new Map<FinishVariant, number>();
    const round = async (variant: FinishVariant, events: number, kind: RoundKind) => {
      const worker = workers.get(variant);
      const tally = tallies.get(variant);
      if (!worker || !tally) throw new Error(`no worker for ${variant}`);
      const firstPackageId = kind === 'duplicate' ? (warmUpStart.get(variant) ?? 0) : nextPackageId;
      if (kind === 'warm-up') warmUpStart.set(variant, firstPackageId);
      if (kind !== 'duplicate') nextPackageId += events;
      const dynamoBefore = counter.counts();
      const authBefore = simulator.count('authenticate');
      const finishBefore = simulator.count('finish');
      const serverBefore = processCpuMicros(services.dynamoDbLocalPid);
      const report: RoundReport = await worker.run({
        type: 'round',
        firstPackageId,
        events,
        batchSize: options.batchSize,
      });
      const serverAfter = processCpuMicros(services.dynamoDbLocalPid);
      const dynamoDb = countsBetween(dynamoBefore, counter.counts());
      const finishes = simulator.count('finish') - finishBefore;
      tally.authentications += simulator.count('authenticate') - authBefore;
      tally.failures += report.failures;
      if (kind === 'duplicate') {
        tally.duplicates.events += report.events;
        tally.duplicates.finishes += finishes;
        add(tally.duplicates.dynamoDb, dynamoDb);
        return;
      }
      add(tally.dynamoDb, dynamoDb);
      tally.finishes += finishes;
      tally.requestEvents += report.events;
      if (kind === 'measured') {
        tally.events += report.events;
        tally.wallMs += report.wallMs;
        tally.cpuMicros += report.cpuMicros;
        tally.invocations += report.invocations;
        tally.emfBlobs += report.emfBlobs;
        tally.serverCpuMicros =
          tally.serverCpuMicros === undefined ||
          serverBefore === undefined ||
          serverAfter === undefined
            ? undefined
            : tally.serverCpuMicros + serverAfter - serverBefore;
      }
    };

    for (const variant of variants) await round(variant, options.warmupEvents, 'warm-up');
    const perRound =
      Math.ceil(options.events / options.rounds / options.batchSize) * options.batchSize;
    const orders = balancedOrders(variants);
    for (let index = 0; index < options.rounds; index += 1) {
      const order = orders[index % orders.length] ?? variants;
      for (const variant of order) await round(variant, perRound, 'measured');
    }
    for (const variant of variants) {
      await round(variant, Math.min(options.duplicateEvents, options.warmupEvents), 'duplicate');
    }
  } finally {
    await Promise.all([...workers.values()].map((worker) => worker.stop()));
  }
  return variants.map((variant) => {
    const tally = tallies.get(variant);
    if (!tally) throw new Error(`no result for ${variant}`);
    return { variant, ...tally, scopes: SIGNER_COUNT };
  });
};
