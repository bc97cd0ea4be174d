import type { BenchServices } from '../services.ts';
import type { PackageIds, Variant } from '../warm/rounds.ts';
import type { VariantSummary } from '../warm/summary.ts';
import { afterFinishFlow, finishFlow } from './flows.ts';
import type { FunctionSettings } from './stack-settings.ts';
import { largestItem, type OwnerUnits, readStream, unitsByOwner } from './stream-units.ts';

/** Packages the bench seeds for these before their rounds: the seeding is not theirs to pay. */
const SEEDED: ReadonlySet<Variant> = new Set(['callback', 'reconcile']);

/**
 * The write units each variant's changes cost, from the table's stream as it stands after the
 * measured rounds (before any redelivery writes to the same packages again).
 */
export const streamUnits = async (
  services: BenchServices,
  ids: PackageIds,
): Promise<Map<string, OwnerUnits>> => {
  const changes = await readStream(
    services.admin,
    services.dynamoDbLocal.endpoint,
    services.tableName,
  );
  return unitsByOwner(changes, (packageId, change) => {
    const owner = ids.ownerOf(packageId);
    // A seeded package's first write is the bench's INSERT; the function's writes come after.
    return owner !== undefined && SEEDED.has(owner) && !change.OldImage ? undefined : owner;
  });
};

/** The flows the cost table prices: ours, the peer, and what ours does after the finish. */
export const costFlows = async (
  services: BenchServices,
  warm: ReadonlyMap<Variant, VariantSummary>,
  units: ReadonlyMap<string, OwnerUnits>,
  peerTable: string | undefined,
  settings: ReadonlyMap<string, FunctionSettings>,
) => {
  const ours = warm.get('ours');
  const finishSettings = settings.get('finish');
  if (!ours || !finishSettings) return undefined;
  const peer = warm.get('peer');
  // The peer's idempotency writes go to its own table, with no stream: their size from a scan.
  const idempotencyUnits = peerTable
    ? Math.max(1, Math.ceil((await largestItem(services.admin, peerTable)) / 1024))
    : 1;
  const callback = warm.get('callback');
  const publish = warm.get('publish');
  const callbackSettings = settings.get('callback');
  const publishSettings = settings.get('publish');
  return {
    ours: finishFlow(ours, units.get('ours'), 1, finishSettings),
    peer: peer ? finishFlow(peer, units.get('peer'), idempotencyUnits, finishSettings) : undefined,
    afterFinish:
      callback && publish && callbackSettings && publishSettings && publish.requestEvents > 0
        ? afterFinishFlow(
            callback,
            units.get('callback'),
            publish,
            services.eventBridge.events.length / publish.requestEvents,
            { callback: callbackSettings, publish: publishSettings },
          )
        : undefined,
  };
};
