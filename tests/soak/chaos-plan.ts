import {
  CALLBACK_SHAPES,
  type CallbackShape,
  HOSTILE_CALLBACK_KINDS,
  type HostileCallbackKind,
} from '../support/soak-factories.ts';
import type { Random } from './random.ts';
import type { TenantOutage, WorkloadOptions, WorkloadPackage } from './workload.ts';

export type ChaosAction =
  | { readonly kind: 'revoke-tokens'; readonly at: number }
  | ({ readonly kind: 'tenant-outage' } & TenantOutage)
  | { readonly kind: 'restart-dynamodb'; readonly at: number }
  | { readonly kind: 'eventbridge-refuses'; readonly at: number; readonly count: number }
  | {
      readonly kind: 'decline';
      readonly at: number;
      readonly tenant: string;
      readonly packageId: number;
      readonly callback: CallbackShape | undefined;
    }
  | {
      readonly kind: 'delete';
      readonly at: number;
      readonly tenant: string;
      readonly packageId: number;
    }
  | {
      readonly kind: 'premature-callback';
      readonly at: number;
      readonly tenant: string;
      readonly packageId: number;
      readonly shape: CallbackShape;
    }
  | {
      readonly kind: 'hostile-callback';
      readonly at: number;
      readonly attack: HostileCallbackKind;
      readonly tenant: string;
      readonly packageId: number;
    };

/**
 * The run's chaos timeline, in the order it fires: token revocations, EventBridge refusals, the
 * DynamoDB Local restart and a tenant's outage as the options place them, then per package a
 * decline or a deletion and a premature callback at random, and the hostile callbacks.
 */
export const planChaos = (
  options: WorkloadOptions,
  packages: readonly WorkloadPackage[],
  random: Random,
): ChaosAction[] => {
  const actions: ChaosAction[] = [
    ...options.tokenRevocations.map((at) => ({ kind: 'revoke-tokens' as const, at })),
    ...options.eventBridgeRefusals.map((at) => ({
      kind: 'eventbridge-refuses' as const,
      at,
      count: 2,
    })),
    ...(options.restartDynamoDbAt === undefined
      ? []
      : [{ kind: 'restart-dynamodb' as const, at: options.restartDynamoDbAt }]),
    ...(options.tenantOutage === undefined
      ? []
      : [{ kind: 'tenant-outage' as const, ...options.tenantOutage }]),
  ];
  for (const { tenant, packageId } of packages) {
    if (random.chance(options.declineRate)) {
      actions.push({
        kind: 'decline',
        at: 0.05 + random.next() * 0.9,
        tenant,
        packageId,
        callback: random.chance(0.6) ? random.pick(CALLBACK_SHAPES) : undefined,
      });
    } else if (random.chance(options.deleteRate)) {
      actions.push({ kind: 'delete', at: 0.05 + random.next() * 0.9, tenant, packageId });
    }
    if (random.chance(options.prematureCallbackRate)) {
      actions.push({
        kind: 'premature-callback',
        at: random.next() * 0.8,
        tenant,
        packageId,
        shape: random.pick(CALLBACK_SHAPES),
      });
    }
  }
  for (let i = 0; i < options.hostileCallbacks; i += 1) {
    const target = random.pick(packages);
    actions.push({
      kind: 'hostile-callback',
      at: random.next(),
      attack: HOSTILE_CALLBACK_KINDS[i % HOSTILE_CALLBACK_KINDS.length] ?? 'no-package-id',
      tenant: target.tenant,
      packageId: target.packageId,
    });
  }
  actions.sort((a, b) => a.at - b.at);
  return actions;
};
