import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createDynamoDbClient, lazySecretsManager } from './aws/clients.ts';
import { resolveCallbackSecret, resolveCredentials } from './aws/secrets.ts';
import type { CallbackSecretSource, FinishConfig } from './config.ts';
import type { FinishDependencies } from './finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from './finish/retry-policy.ts';
import { SigningHubClient } from './signinghub/signinghub-client.ts';
import { DynamoDbStore } from './store/dynamodb-store.ts';

/** Resolves after `ms`, or at once when the signal fires; never rejects. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export interface Runtime extends FinishDependencies {
  readonly store: DynamoDbStore;
  readonly signingHub: SigningHubClient;
}

/** Runs `load` once and shares its promise; a failure is forgotten so the next call tries again. */
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

/** The real dependencies, built once per cold start and reused while the function is warm. */
export const createRuntime = (config: FinishConfig): Runtime => {
  const { signingHub } = config;
  return {
    store: new DynamoDbStore(createDynamoDbClient(config), config.tableName),
    signingHub: new SigningHubClient({
      baseUrl: signingHub.baseUrl,
      apiVersion: signingHub.apiVersion,
      timeoutMs: signingHub.timeoutMs,
      credentials: () => resolveCredentials(signingHub.credentials, lazySecretsManager),
    }),
    now: () => new Date(),
    sleep,
    random: Math.random,
    newLeaseId: randomUUID,
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: signingHub.timeoutMs,
  };
};

/** The callback path's secret, read once (from Secrets Manager where configured so). */
export const callbackSecretReader = (source: CallbackSecretSource): (() => Promise<string>) =>
  once(() => resolveCallbackSecret(source, lazySecretsManager));
