import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createDynamoDbClient, lazySecretsManager } from './aws/clients.ts';
import { resolveCredentials } from './aws/secrets.ts';
import type { Config } from './config.ts';
import type { FinishDependencies } from './finish/finish-package.ts';
import { DEFAULT_RETRY_POLICY } from './finish/retry-policy.ts';
import { SigningHubClient } from './signinghub/signinghub-client.ts';
import { DynamoDbStore } from './store/dynamodb-store.ts';

/** Resolves after `ms`, or at once when the signal fires; never rejects. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export interface Runtime extends FinishDependencies {
  readonly config: Config;
  readonly store: DynamoDbStore;
  readonly signingHub: SigningHubClient;
}

/** The real dependencies, built once per cold start and reused while the function is warm. */
export const createRuntime = (config: Config): Runtime => {
  const { signingHub } = config;
  return {
    config,
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
