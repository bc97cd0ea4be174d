import { setTimeout as delay } from 'node:timers/promises';
import { callbackFor, hostileCallback } from '../support/soak-factories.ts';
import type { CallbackDelivery } from './callback-delivery.ts';
import type { Outage } from './invariants.ts';
import type { ServerErrorTrap } from './server-error-trap.ts';
import type { SoakStack } from './soak-stack.ts';
import type { ChaosAction } from './workload.ts';

export interface ChaosOptions {
  readonly actions: readonly ChaosAction[];
  readonly stack: SoakStack;
  readonly trap: ServerErrorTrap;
  readonly callbacks: CallbackDelivery;
  readonly callbackSecret: string;
  /** Packages SigningHub has finished at least once. */
  readonly finishedPackages: ReadonlySet<number>;
  /** How far the queue has got (0 to 1): each action waits for its share. */
  readonly settledShare: () => number;
  readonly ended: () => boolean;
  readonly say: (line: string) => void;
}

export interface ChaosTally {
  readonly outage: Outage | undefined;
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
  const { stack, callbacks, callbackSecret, say } = options;
  const { simulator, eventBridge } = stack;
  const percent = () => `${Math.round(options.settledShare() * 100)}%`;
  const tally = {
    outage: undefined as Outage | undefined,
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

  const perform = async (action: ChaosAction): Promise<void> => {
    switch (action.kind) {
      case 'revoke-tokens':
        simulator.revokeTokens();
        tally.revocations += 1;
        say(`soak: SigningHub revoked every token at ${percent()}`);
        return;
      case 'eventbridge-refuses':
        eventBridge.failNext(action.count);
        tally.refusals += action.count;
        return;
      case 'restart-dynamodb':
        return restartDynamoDb();
      case 'decline':
        simulator.setWorkflowStatus(action.packageId, 'DECLINED');
        tally.declines += 1;
        if (action.callback) {
          callbacks.send(callbackFor(action.callback, action.packageId, callbackSecret), 'decline');
        }
        return;
      case 'delete':
        simulator.deletePackage(action.packageId);
        tally.deletions += 1;
        return;
      case 'premature-callback':
        tally.premature += 1;
        if (!options.finishedPackages.has(action.packageId)) tally.prematureBeforeAnyFinish += 1;
        callbacks.send(callbackFor(action.shape, action.packageId, callbackSecret), 'premature');
        return;
      case 'hostile-callback': {
        const attack = hostileCallback(action.attack, callbackSecret, action.packageId);
        callbacks.send(attack.event, 'hostile', attack.expectedStatus);
        return;
      }
    }
  };

  const done = (async () => {
    for (const action of options.actions) {
      while (!options.ended() && options.settledShare() < action.at) await delay(20);
      if (options.ended()) return;
      await perform(action);
    }
  })();
  return { done, tally: () => ({ ...tally }) };
};
