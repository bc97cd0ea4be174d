import type { CallbackModule } from '../../harness/handler-modules.ts';
import type { CallbackMode, SigningHubSimulator } from '../../harness/simulator/types.ts';
import type { CallbackRoute } from '../support/soak-factories.ts';
import { type CallbackBridge, startCallbackBridge } from './callback-bridge.ts';
import { type CallbackDelivery, createCallbackDelivery } from './callback-delivery.ts';
import type { Cleanups } from './cleanups.ts';
import type { LeakFinding, LogScanner } from './log-scanner.ts';
import type { Random } from './random.ts';
import type { SoakOptions } from './soak-options.ts';
import { DEFAULT_TENANT, type TenantAccount } from './tenant-mix.ts';

const CALLBACK_MODES: readonly CallbackMode[] = ['query', 'webhook', 'report'];

export interface SoakCallbacks {
  readonly delivery: CallbackDelivery;
  readonly bridge: CallbackBridge;
  /** Each tenant's route and secret: the default route for the default tenant. */
  readonly routes: ReadonlyMap<string, CallbackRoute>;
  /** Stops turning the callback modes. */
  stopRotating(): void;
}

export interface SoakCallbacksOptions {
  readonly options: SoakOptions;
  readonly handlers: readonly CallbackModule[];
  readonly simulator: SigningHubSimulator;
  readonly accounts: readonly TenantAccount[];
  readonly random: Random;
  readonly scanner: LogScanner;
  /** Where leaks found in callback answers go. */
  readonly leaks: LeakFinding[];
  readonly cleanups: Cleanups;
}

/**
 * SigningHub's callbacks through a lossy bridge, each enterprise's to its tenant's route with its
 * own secret, in every mode SigningHub has, turn by turn.
 */
export const startSoakCallbacks = async (input: SoakCallbacksOptions): Promise<SoakCallbacks> => {
  const { options, simulator, random, cleanups } = input;
  const delivery = createCallbackDelivery({
    handlers: input.handlers,
    random,
    scanText: (source, text) => input.scanner.scanText(source, text),
    leaks: input.leaks,
  });
  const bridge = await startCallbackBridge({
    deliver: (event) => delivery.deliver(event, 'signinghub'),
    random,
    lossRate: options.callbackLossRate,
    duplicateRate: options.callbackDuplicateRate,
    maxDelayMs: options.callbackMaxDelayMs,
  });
  cleanups.add(() => bridge.close());
  const routes = new Map<string, CallbackRoute>(
    input.accounts.map(({ spec, callbackSecret }) => [
      spec.name,
      spec.name === DEFAULT_TENANT
        ? { secret: callbackSecret }
        : { secret: callbackSecret, tenant: spec.name },
    ]),
  );
  const urlOf = ({ secret, tenant }: CallbackRoute) =>
    tenant === undefined
      ? `${bridge.url}/signinghub/callback/${secret}`
      : `${bridge.url}/signinghub/tenants/${tenant}/callback/${secret}`;
  const rotateModes = () => {
    for (const [tenant, route] of routes) {
      simulator
        .enterprise(tenant)
        .setCallback({ url: urlOf(route), mode: random.pick(CALLBACK_MODES) });
    }
  };
  rotateModes();
  const modeTimer = setInterval(rotateModes, 300);
  const stopRotating = () => clearInterval(modeTimer);
  cleanups.add(stopRotating);
  return { delivery, bridge, routes, stopRotating };
};
