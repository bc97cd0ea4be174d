import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazySecretsManager } from '../aws/clients.ts';
import { credentialsReader } from '../aws/secrets.ts';
import type { SigningHubConfig } from '../config.ts';
import type { MetricsPort } from '../metrics.ts';
import type { FinishPort, WorkflowPort } from './ports.ts';
import { SigningHubClient } from './signinghub-client.ts';

/**
 * SigningHub for a function: its settings, and credentials from the environment or from the
 * named secret, which the client reads at each authentication (kept for `secretMaxAgeSeconds`,
 * read past that cache when SigningHub refuses them). `secretsManager` is the client for that
 * read: the functions' own by default, an operator command's (its region and credentials)
 * otherwise. A function passes its `metrics`; an operator command, which publishes none, may
 * leave them out.
 */
export const signingHubClientFrom = (
  config: SigningHubConfig,
  secretsManager: () => SecretsManagerClient = lazySecretsManager,
  metrics?: MetricsPort,
): FinishPort & WorkflowPort => {
  const { credentials } = config;
  return new SigningHubClient({
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    timeoutMs: config.timeoutMs,
    metrics,
    credentials:
      credentials.kind === 'env'
        ? async () => credentials.credentials
        : credentialsReader(credentials, secretsManager, config.secretMaxAgeSeconds),
  });
};
