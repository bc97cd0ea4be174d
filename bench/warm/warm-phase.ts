import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionEnvironment } from '../../harness/function-env.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import type { CpuPlan } from '../affinity.ts';
import { type BenchServices, benchFunctionEnv } from '../services.ts';
import { startWorker, type WorkerOptions, type WorkerProcess } from '../worker-process.ts';
import type { Workload } from '../worker-protocol.ts';
import {
  balancedOrders,
  FINISH_VARIANTS,
  mergeSlices,
  PackageIds,
  type Participant,
  type RoundSample,
  runSlice,
  slicePlan,
  type Variant,
} from './rounds.ts';
import { STEADY_RULE, type SteadyRule, warmUpDone } from './steady-state.ts';

export interface WarmOptions {
  /** Per round: signing events for each finish variant, in SQS batches of `batchSize`. */
  readonly finishEvents: number;
  readonly batchSize: number;
  /** Per round: callback GETs (one per invocation) and completion records for publish. */
  readonly callbackRequests: number;
  readonly publishRecords: number;
  /** Per round: one reconcile run, which finds this many stale packages. */
  readonly reconcilePackages: number;
  readonly rounds: number;
  /**
   * Each round is cut into this many slices, taken in the round's order in turn, so that every
   * variant's measurement spans the whole round and not a quarter-second of it.
   */
  readonly slices?: number;
  /** Warm-up rounds hold this many times a measured round's units. */
  readonly warmUpScale?: number;
  /** Warm-up events delivered a second time at the end, as SQS may: requests only. */
  readonly duplicateEvents: number;
  readonly steady?: SteadyRule;
  readonly cpus?: CpuPlan | undefined;
  /** Node flags per variant (`--cpu-prof` for the profile). */
  readonly execArgv?: (variant: Variant) => readonly string[];
  /** Called after the measured rounds, before the redeliveries write again to finished packages. */
  readonly afterMeasured?: (ids: PackageIds) => Promise<void>;
}

export interface WarmRun {
  readonly variants: readonly Variant[];
  readonly samples: readonly RoundSample[];
  readonly warmUpRounds: number;
  /** Whether every finish variant levelled off before the warm-up's round limit. */
  readonly steady: boolean;
  readonly ids: PackageIds;
  /** The peer's idempotency table, for its item sizes. */
  readonly peerTable: string | undefined;
}

const WORKLOAD: Record<Variant, Workload> = {
  ours: 'finish-ours',
  floor: 'finish-floor',
  peer: 'finish-peer',
  'floor-twin': 'finish-floor',
  callback: 'callback',
  publish: 'publish',
  reconcile: 'reconcile',
};

const SLICES = 5;
/**
 * Every this many measured rounds, each worker collects its whole heap, one after the other and
 * outside any measurement. Left to itself V8 does that in one process and not another, every 25
 * rounds or so, and its concurrent marking and sweeping then cost that process up to 15% more
 * CPU for several rounds: two identical floors read 4% apart over a run. Collected together and
 * more often than V8 would, the after-effects fall in the same rounds for everyone.
 */
const FULL_COLLECTION_EVERY = 7;
/** Warm-up rounds are this many measured rounds long: the JIT learns per event, not per round. */
const WARM_UP_SCALE = 3;

/** Reconcile finds packages older than this; the seeded ones are from 2020. */
const RECONCILE_AFTER_SECONDS = 86_400;
const STALE = new Date('2020-01-01T00:00:00.000Z');

/** Powertools' documented idempotency table for the peer: `id` as the partition key. */
const createIdempotencyTable = async (admin: DynamoDBClient): Promise<string> => {
  const tableName = `bench-peer-idempotency-${randomUUID()}`;
  await admin.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
};

const participantFor = async (
  services: BenchServices,
  variant: Variant,
  options: WarmOptions,
  peerTable: string | undefined,
): Promise<Participant> => {
  const packages = new DynamoDbPackageStore(new DynamoDbTable(services.admin, services.tableName));
  const seed = (first: number, count: number, at: Date) =>
    Promise.all(
      Array.from({ length: count }, (_, index) => {
        services.simulator.setWorkflowStatus(first + index, 'COMPLETED');
        return packages.markInProgress(first + index, at);
      }),
    ).then(() => undefined);
  const env: Record<string, string> = {
    ...services.handlerEnv,
    ...(variant === 'peer' && peerTable ? { IDEMPOTENCY_TABLE_NAME: peerTable } : {}),
    ...(variant === 'callback'
      ? functionEnvironment({ callbackSecret: `bench-${randomUUID()}` })
      : {}),
    ...(variant === 'reconcile'
      ? functionEnvironment({ reconcileAfterSeconds: RECONCILE_AFTER_SECONDS })
      : {}),
    ...benchFunctionEnv(variant),
  };
  const workerOptions: WorkerOptions = {
    execArgv: options.execArgv?.(variant) ?? [],
    ...(options.cpus ? { cpus: options.cpus.handlers } : {}),
  };
  const worker: WorkerProcess = await startWorker(WORKLOAD[variant], env, workerOptions);
  const base = { variant, worker, packagesPerUnit: 1 };
  switch (variant) {
    case 'callback':
      // A package the finish opened a moment ago, which SigningHub now reports COMPLETED.
      return {
        ...base,
        units: options.callbackRequests,
        batchSize: 1,
        prepare: (first, count) => seed(first, count, new Date()),
      };
    case 'publish':
      return { ...base, units: options.publishRecords, batchSize: options.batchSize };
    case 'reconcile':
      return {
        ...base,
        units: 1,
        batchSize: 1,
        packagesPerUnit: options.reconcilePackages,
        prepare: (first, count) => seed(first, count, STALE),
      };
    default:
      return { ...base, units: options.finishEvents, batchSize: options.batchSize };
  }
};

/**
 * Every variant in its own warm worker, measured in short interleaved rounds so that the
 * machine's noise falls on all of them alike: first warm-up rounds until the JIT is done, then
 * the measured rounds, then the finish variants get some of their warm-up events again.
 */
export const runWarmPhase = async (
  services: BenchServices,
  variants: readonly Variant[],
  options: WarmOptions,
  progress: (message: string) => void = () => undefined,
): Promise<WarmRun> => {
  const rule = options.steady ?? STEADY_RULE;
  const ids = new PackageIds();
  const samples: RoundSample[] = [];
  const participants: Participant[] = [];
  const peerTable = variants.includes('peer')
    ? await createIdempotencyTable(services.admin)
    : undefined;
  const warmUpFirst = new Map<Variant, number>();
  try {
    for (const variant of variants) {
      participants.push(await participantFor(services, variant, options, peerTable));
    }
    const orders = balancedOrders(participants);
    const slices = options.slices ?? SLICES;
    const warmUpScale = options.warmUpScale ?? WARM_UP_SCALE;
    const round = async (index: number, kind: 'warm-up' | 'measured') => {
      const scale = kind === 'warm-up' ? warmUpScale : 1;
      const plans = (orders[index % orders.length] ?? participants).map((participant) => {
        const total = participant.units * scale;
        const packages = total * participant.packagesPerUnit;
        const first = ids.take(participant.variant, packages);
        if (!warmUpFirst.has(participant.variant)) warmUpFirst.set(participant.variant, first);
        const units = slicePlan(total, participant.batchSize, slices);
        return { participant, first, packages, total, units, done: 0, parts: [] as RoundSample[] };
      });
      // The scene for the whole round first, so that no seeding falls between measured slices.
      for (const plan of plans) await plan.participant.prepare?.(plan.first, plan.packages);
      for (let slice = 0; slice < slices; slice += 1) {
        for (const plan of plans) {
          const units = plan.units[slice] ?? 0;
          if (units === 0) continue;
          const firstPackageId = plan.first + plan.done * plan.participant.packagesPerUnit;
          plan.done += units;
          const last = plan.done === plan.total;
          plan.parts.push(
            await runSlice(services, plan.participant, kind, { firstPackageId, units, last }),
          );
        }
      }
      for (const plan of plans) samples.push(mergeSlices(plan.parts));
    };
    const finishSeries = () =>
      variants
        .filter((variant) => FINISH_VARIANTS.includes(variant))
        .map((variant) =>
          samples
            .filter((sample) => sample.variant === variant)
            .map((sample) => sample.report.cpuMicros / sample.report.events),
        );
    let warmUpRounds = 0;
    let steady = false;
    for (;;) {
      await round(warmUpRounds, 'warm-up');
      warmUpRounds += 1;
      const verdict = warmUpDone(finishSeries(), warmUpRounds, rule);
      steady = verdict.steady;
      if (verdict.done) break;
    }
    progress(`warm-up: ${warmUpRounds} rounds (${steady ? 'levelled off' : 'at its limit'})`);
    for (let index = 0; index < options.rounds; index += 1) {
      if (index % FULL_COLLECTION_EVERY === 0) {
        for (const { worker } of participants) await worker.collect();
      }
      await round(index, 'measured');
      if ((index + 1) % 10 === 0) progress(`round ${index + 1} of ${options.rounds}`);
    }
    await options.afterMeasured?.(ids);
    for (const participant of participants) {
      const first = warmUpFirst.get(participant.variant);
      if (!FINISH_VARIANTS.includes(participant.variant) || first === undefined) continue;
      const units = Math.min(options.duplicateEvents, participant.units);
      samples.push(
        await runSlice(services, participant, 'duplicate', {
          firstPackageId: first,
          units,
          last: true,
        }),
      );
    }
    return { variants, samples, warmUpRounds, steady, ids, peerTable };
  } finally {
    await Promise.all(participants.map(({ worker }) => worker.stop()));
  }
};
