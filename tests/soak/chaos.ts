import { setTimeout as delay } from 'node:timers/promises';
import { type CallbackRoute, callbackFor, hostileCallback } from '../support/soak-factories.ts';
import type { CallbackDelivery } from './callback-delivery.ts';
import type { ChaosAction } from './chaos-plan.ts';
import type { Outage } from './invariants.ts';
import type { ServerErrorTrap } from './server-error-trap.ts';
import type { SoakStack } from './soak-stack.ts';
import { type PackageRef, packageRef } from './tenant-mix.ts';

/** When a tenant's host was down: dropping connections, then answering 503, then up again. */
export interface TenantHostOutage {
  readonly tenant: string;
  readonly downAt: number;
  readonly upAt: number;
}

export interface ChaosOptions {
  readonly actions: readonly ChaosAction[];
  readonly stack: SoakStack;
  readonly trap: ServerErrorTrap;
  readonly callbacks: CallbackDelivery;
  /** Each tenant's callback route and secret. */
  readonly routes: ReadonlyMap<string, CallbackRoute>;
  /** Packages SigningHub has finished at least once. */
  readonly finishedPackages: ReadonlySet<PackageRef>;
  /** The tenants whose host is down now: kept up to date here, read by the observer. */
  readonly downTenants: Set<string>;
  /**
   * How far the run has got (0 to 1): each action waits for its share. With events arriving at a
   * steady rate, the share of them that has arrived, so that an action comes at the same moment
   * whatever an outage does to how fast messages settle (a baseline's and an outage run's faults
   * then line up); with every event sent at once, the share settled.
   */
  readonly progress: () => number;
  readonly ended: () => boolean;
  readonly say: (line: string) => void;
}

export interface ChaosTally {
  readonly outage: Outage | undefined;
  readonly tenantOutage: TenantHostOutage | undefined;
  readonly revocations: number;
  readonly refusals: number;
  readonly premature: number;
  readonly prematureBeforeAnyFinish: number;
  readonly declines: number;
  readonly deletions: number;
}

export interface Chaos {
  /** Resolves once every action has been taken, or the run ended first. */
  readonly done: Promise<void>;
  tally(): ChaosTally;
}

/** The chaos timeline: each action taken when the queue has settled its share of the messages. */
export const runChaos = (options: ChaosOptions): Chaos => {
  const { stack, callbacks, routes, say } = options;
  const { simulator, eventBridge } = stack;
  const percent = () => `${Math.round(options.progress() * 100)}%`;
  const routeOf = (tenant: string): CallbackRoute => {
    const route = routes.get(tenant);
    if (!route) throw new Error(`no callback route for tenant ${tenant}`);
    return route;
  };
  const tenantNames = [...routes.keys()];
  const tally = {
    outage: undefined as Outage | undefined,
    tenantOutage: undefined as TenantHostOutage | undefined,
    revocations: 0,
    refusals: 0,
    premature: 0,
    prematureBeforeAnyFinish: 0,
    declines: 0,
    deletions: 0,
  };

  const restartDynamoDb = async () => {
    say(`soak: stopping DynamoDB Local at ${percent()}`);
    const onServerError = await options.trap.wait(20_000);
    const stoppedAt = Date.now();
    await stack.restartDynamoDb(options.trap.release);
    tally.outage = { stoppedAt, restartedAt: Date.now(), onServerError };
    say(`soak: DynamoDB Local back after ${tally.outage.restartedAt - stoppedAt} ms`);
  };

  const background: Promise<void>[] = [];
  /** Down for `forMs` (connections dropped for the first half, 503 for the second), then up. */
  const takeDown = async (tenant: string, forMs: number) => {
    const host = simulator.enterprise(tenant);
    const downAt = Date.now();
    options.downTenants.add(tenant);
    host.setDown('drop');
    say(`soak: ${tenant}'s SigningHub down at ${percent()} for ${Math.round(forMs / 1000)} s`);
    await delay(forMs / 2);
    host.setDown('unavailable');
    await delay(forMs / 2);
    host.setDown(false);
    options.downTenants.delete(tenant);
    tally.tenantOutage = { tenant, downAt, upAt: Date.now() };
    say(`soak: ${tenant}'s SigningHub back up at ${percent()}`);
  };

  const perform = async (action: ChaosAction): Promise<void> => {
    switch (action.kind) {
      case 'tenant-outage':
        // The other actions go on meanwhile.
        background.push(takeDown(action.tenant, action.forMs));
        return;
      case 'revoke-tokens':
        for (const tenant of tenantNames) simulator.enterprise(tenant).revokeTokens();
        tally.revocations += 1;
        say(`soak: SigningHub revoked every token at ${percent()}`);
        return;
      case 'eventbridge-refuses':
        eventBridge.failNext(action.count);
        tally.refusals += action.count;
        return;
      case 'restart-dynamodb':
        return restartDynamoDb();
      case 'decline': {
        const { tenant, packageId } = action;
        simulator.enterprise(tenant).setWorkflowStatus(packageId, 'DECLINED');
        tally.declines += 1;
        if (action.callback) {
          callbacks.send(callbackFor(action.callback, packageId, routeOf(tenant)), 'decline');
        }
        return;
      }
      case 'delete':
        simulator.enterprise(action.tenant).deletePackage(action.packageId);
        tally.deletions += 1;
        return;
      case 'premature-callback': {
        const { tenant, packageId } = action;
        tally.premature += 1;
        if (!options.finishedPackages.has(packageRef(tenant, packageId))) {
          tally.prematureBeforeAnyFinish += 1;
        }
        callbacks.send(callbackFor(action.shape, packageId, routeOf(tenant)), 'premature');
        return;
      }
      case 'hostile-callback': {
        const { tenant, packageId } = action;
        const other = tenantNames.find((name) => name !== tenant) ?? tenant;
        const attack = hostileCallback(action.attack, routeOf(tenant), packageId, routeOf(other));
        callbacks.send(attack.event, 'hostile', attack.expectedStatus);
        return;
      }
    }
  };

  const done = (async () => {
    for (const action of options.actions) {
      while (!options.ended() && options.progress() < action.at) await delay(20);
      if (options.ended()) break;
      await perform(action);
    }
    await Promise.all(background);
  })();
  return { done, tally: () => ({ ...tally }) };
};
