import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import type { ArchiveModule } from '../../harness/handler-modules.ts';
import { archiveRequestBody, parseArchiveMessage } from '../../lib/archive/archive-request.ts';
import type { ArchiveSoakOptions } from './archive-workload.ts';
import { createEventSourceMapping, type EventSourceMapping } from './event-source-mapping.ts';
import type { Random } from './random.ts';
import { createSqsQueue, type SqsQueue } from './sqs-emulation.ts';
import { DEFAULT_TENANT, type PackageRef, packageRef, parsePackageRef } from './tenant-mix.ts';

/** One delivery of an ArchiveQueue message to the archive function (batch size 1, as deployed). */
export interface ArchiveDelivery {
  readonly messageId: string;
  /** The package the message asks for; undefined when it names none. */
  readonly ref: PackageRef | undefined;
  readonly startedAt: number;
  endedAt: number | undefined;
  /**
   * The package item as the delivery began: the documents recorded and whether it was ARCHIVED.
   * Undefined when it could not be read (DynamoDB Local away).
   */
  readonly before:
    | { readonly documents: ReadonlySet<number>; readonly archived: boolean }
    | undefined;
}

export interface ArchiveRouting {
  /** Completion events put on ArchiveQueue. */
  routed: number;
  /** Second copies of them, and how many of those went to a second instance at the same moment. */
  duplicates: number;
  concurrentDuplicates: number;
  /**
   * Operator requests (`npm run archive`'s) for packages that must not be archived: each
   * DECLINED or DELETED one as its event comes, and at the end every one that never completed.
   */
  strays: number;
  /** Dead letters moved back to the queue once it had drained, as `npm run redrive` would. */
  redriven: number;
  /** How long the archive took to settle once the signing events had: what it adds to a run. */
  settleMs: number;
}

export interface ArchiveSide {
  readonly queue: SqsQueue;
  readonly mapping: EventSourceMapping;
  readonly deliveries: readonly ArchiveDelivery[];
  readonly routing: Readonly<ArchiveRouting>;
  /** When each package's completion event went on the queue (its first copy). */
  readonly routedAt: ReadonlyMap<PackageRef, number>;
  start(): void;
  /**
   * Routes what is left, waits for the queue to drain, moves its dead letters back once and
   * waits again, until no completion event is left to route; `drainStream` runs publish.
   */
  settle(drainStream: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface ArchiveSideOptions {
  readonly options: ArchiveSoakOptions;
  readonly modules: readonly ArchiveModule[];
  readonly events: readonly ReceivedEvent[];
  readonly busName: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly random: Random;
  readonly maxReceiveCount: number;
  /** Every package of the workload. */
  readonly packages: readonly PackageRef[];
}

const ROUTE_EVERY_MS = 100;

/** The table's key of a package item, written here apart from the product's key code. */
const packageKey = (ref: PackageRef): Record<string, AttributeValue> => {
  const { tenant, packageId } = parsePackageRef(ref);
  const pk =
    tenant === DEFAULT_TENANT ? `PACKAGE#${packageId}` : `TENANT#${tenant}#PACKAGE#${packageId}`;
  return { pk: { S: pk }, sk: { S: 'PACKAGE' } };
};

const refOfBody = (body: string): PackageRef | undefined => {
  const parsed = parseArchiveMessage(body);
  return parsed.ok ? packageRef(parsed.request.tenant, parsed.request.packageId) : undefined;
};

/**
 * The archive as the stack runs it, in the soak's process: ArchiveRule routes each
 * SigningPackageCompleted event on the bus to ArchiveQueue (an SQS emulation: visibility timeout,
 * receive count, dead letters after the fifth receive), whose event source mapping gives each
 * message alone (batch size 1) to one of the archive instances and redelivers those the partial
 * batch response hands back. Some events are delivered twice, later or at the same moment.
 */
export const startArchiveSide = (options: ArchiveSideOptions): ArchiveSide => {
  const { random } = options;
  const queue = createSqsQueue({
    visibilityTimeoutMs: options.options.visibilityTimeoutMs,
    maxReceiveCount: options.maxReceiveCount,
  });
  const deliveries: ArchiveDelivery[] = [];
  const routing: ArchiveRouting = {
    routed: 0,
    duplicates: 0,
    concurrentDuplicates: 0,
    strays: 0,
    redriven: 0,
    settleMs: 0,
  };
  const final = new Set<PackageRef>();
  const routedAt = new Map<PackageRef, number>();
  const later: { dueAt: number; messageId: string; body: string }[] = [];
  let cursor = 0;
  let ids = 0;

  const readBefore = async (ref: PackageRef): Promise<ArchiveDelivery['before']> => {
    try {
      const { Item: item } = await options.client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: packageKey(ref),
          ConsistentRead: true,
        }),
        { abortSignal: AbortSignal.timeout(2_000) },
      );
      const documents = (item?.documents?.L ?? []).map((entry) => Number(entry.M?.documentId?.N));
      return { documents: new Set(documents), archived: item?.archiveStatus?.S === 'ARCHIVED' };
    } catch {
      return undefined;
    }
  };

  const mapping = createEventSourceMapping({
    queue,
    instances: options.modules.map((module, i) => ({
      name: `archive-${i + 1}`,
      handler: async (event, context) => {
        const record = event.Records[0];
        const ref = record === undefined ? undefined : refOfBody(record.body);
        const startedAt = Date.now();
        const before = ref === undefined ? undefined : await readBefore(ref);
        const delivery: ArchiveDelivery = {
          messageId: record?.messageId ?? '',
          ref,
          startedAt,
          endedAt: undefined,
          before,
        };
        deliveries.push(delivery);
        try {
          return await module.handler(event, context);
        } finally {
          delivery.endedAt = Date.now();
        }
      },
    })),
    batchSize: 1,
    lambdaTimeoutMs: options.options.lambdaTimeoutMs,
    functionName: 'signinghub-finish-test-archive',
    onDeleted: () => {},
  });

  const nextId = (kind: string) => {
    ids += 1;
    return `${kind}-${ids}`;
  };

  /** An operator's request to archive a package that must not be: the function does nothing. */
  const stray = (ref: PackageRef) => {
    const { tenant, packageId } = parsePackageRef(ref);
    const body = archiveRequestBody({ packageId, tenant, force: false });
    queue.send({ messageId: nextId('stray'), body });
    routing.strays += 1;
  };

  /** New completion events onto the queue; copies due now too. */
  const route = (): number => {
    let routedNow = 0;
    for (; cursor < options.events.length; cursor += 1) {
      const event = options.events[cursor];
      if (!event || event.busName !== options.busName || event.source !== 'signinghub.finish') {
        continue;
      }
      const { detailType } = event;
      if (detailType === 'SigningPackageDeclined' || detailType === 'SigningPackageDeleted') {
        const detail = event.detail as { packageId: number; tenant?: string };
        const ref = packageRef(detail.tenant ?? DEFAULT_TENANT, detail.packageId);
        final.add(ref);
        stray(ref);
      }
      if (detailType !== 'SigningPackageCompleted') continue;
      const body = JSON.stringify(event.delivered);
      const ref = refOfBody(body);
      if (ref !== undefined) final.add(ref);
      if (ref !== undefined && !routedAt.has(ref)) routedAt.set(ref, Date.now());
      const messageId = nextId('completed');
      routing.routed += 1;
      routedNow += 1;
      if (!random.chance(options.options.duplicateRate)) {
        queue.send({ messageId, body });
        continue;
      }
      routing.duplicates += 1;
      const copyId = nextId('copy');
      if (random.chance(options.options.concurrentDuplicateShare)) {
        routing.concurrentDuplicates += 1;
        queue.send({ messageId, body }, copyId);
        queue.send({ messageId: copyId, body }, messageId);
        continue;
      }
      queue.send({ messageId, body });
      const wait = Math.round(random.next() * 2 * options.options.visibilityTimeoutMs);
      later.push({ dueAt: Date.now() + wait, messageId: copyId, body });
    }
    const now = Date.now();
    for (let i = later.length - 1; i >= 0; i -= 1) {
      const copy = later[i];
      if (copy === undefined || copy.dueAt > now) continue;
      later.splice(i, 1);
      queue.send({ messageId: copy.messageId, body: copy.body });
    }
    return routedNow;
  };

  let redrivenOnce = false;
  let straysSent = false;
  /** One round of settling: false once nothing is left to route, send or redrive. */
  const settleRound = async (drainStream: () => Promise<void>): Promise<boolean> => {
    await drainStream();
    const routedNow = route();
    while (later.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, ROUTE_EVERY_MS));
      route();
    }
    await mapping.drained();
    await drainStream();
    if (routedNow > 0 || cursor < options.events.length) return true;
    if (!straysSent) {
      straysSent = true;
      for (const ref of options.packages) if (!final.has(ref)) stray(ref);
      return true;
    }
    if (redrivenOnce || queue.deadLetters.length === 0) return false;
    redrivenOnce = true;
    for (const letter of queue.deadLetters) {
      queue.send({ messageId: `${letter.messageId}-redriven`, body: letter.body });
      routing.redriven += 1;
    }
    return true;
  };

  let timer: NodeJS.Timeout | undefined;
  return {
    queue,
    mapping,
    deliveries,
    routing,
    routedAt,
    start: () => {
      timer ??= setInterval(route, ROUTE_EVERY_MS);
      mapping.start();
    },
    settle: async (drainStream) => {
      const startedAt = Date.now();
      while (await settleRound(drainStream));
      routing.settleMs = Date.now() - startedAt;
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await mapping.stop();
    },
  };
};
