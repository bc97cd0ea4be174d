import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { SigningHubConfig } from '../../../lib/config.ts';
import { signingHubClientFrom } from '../../../lib/signinghub/client-from-config.ts';
import { TokenCache } from '../../../lib/signinghub/token-cache.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { fakeForThisFile, PASSWORD_GRANT } from '../../support/signinghub-fake.ts';

// The default tenant's client as a function builds it, against a fake SigningHub: what it is
// given besides the settings (a token cache, metrics) is what it uses.

const fake = fakeForThisFile();

/** The default tenant with its grant in the environment: no secret is ever read. */
const config = (): SigningHubConfig => ({
  baseUrl: fake.baseUrl,
  apiVersion: 'v3',
  timeoutMs: 5_000,
  credentials: { kind: 'env', grant: PASSWORD_GRANT },
  secretMaxAgeSeconds: 300,
});
const noSecrets = (): SecretsManagerClient => {
  throw new Error('no secret is read with the grant in the environment');
};

describe('signingHubClientFrom', () => {
  it('shares the token cache it is given with the process’s other clients', async () => {
    const tokens = new TokenCache(Date.now);
    await signingHubClientFrom(config(), noSecrets, undefined, { tokens }).finishPackage(1, {});
    await signingHubClientFrom(config(), noSecrets, undefined, { tokens }).finishPackage(2, {});
    expect(fake.forms()).toHaveLength(1);
    expect(fake.apiCalls()).toHaveLength(2);
  });

  it('keeps a token cache of its own without one, and counts in the metrics it is given', async () => {
    const metrics = recordMetrics();
    await signingHubClientFrom(config(), noSecrets, metrics).finishPackage(1, {});
    await signingHubClientFrom(config(), noSecrets).finishPackage(2, {});
    expect(fake.forms()).toHaveLength(2);
    expect(metrics.points.map(({ name }) => name)).toEqual([
      'SigningHubAuthentications',
      'FinishResponse2xx',
    ]);
  });
});
