import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazySecretsManager } from '../aws/clients.ts';
import { defaultAccessReader } from '../aws/secrets.ts';
import type { SigningHubConfig } from '../config.ts';
import type { Log } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import { certificateWatch } from '../tenants/certificate-expiry.ts';
import type { DocumentsPort, FinishPort, WorkflowPort } from './ports.ts';
import { SigningHubClient } from './signinghub-client.ts';
import type { TokenCache } from './token-cache.ts';

export interface DefaultClientOptions {
  /** Shared with the other tenants' clients of the process (tokens are kept per tenant). */
  readonly tokens?: TokenCache;
  /** Where a client certificate ending within 30 days is warned of (with `metrics`). */
  readonly log?: Log;
}

/**
 * SigningHub for the default tenant: the function's settings, and the grant from the environment
 * or from the named secret (with the client certificate and CA that secret may hold), which the
 * client reads at each call (kept for `secretMaxAgeSeconds`, read past that cache when SigningHub
 * refuses it). `secretsManager` is the client for that read: the functions' own by default, an
 * operator command's (its region and credentials) otherwise. A function passes its `metrics` (and
 * its `log`, to be warned of a client certificate about to expire); an operator command, which
 * publishes none, may leave them out.
 */
export const signingHubClientFrom = (
  config: SigningHubConfig,
  secretsManager: () => SecretsManagerClient = lazySecretsManager,
  metrics?: MetricsPort,
  { tokens, log }: DefaultClientOptions = {},
): FinishPort & WorkflowPort & DocumentsPort =>
  new SigningHubClient({
    timeoutMs: config.timeoutMs,
    access: defaultAccessReader(
      config,
      secretsManager,
      config.secretMaxAgeSeconds,
      metrics && log ? certificateWatch(log, metrics) : undefined,
    ),
    ...(tokens ? { tokens } : {}),
    ...(metrics ? { metrics } : {}),
  });
