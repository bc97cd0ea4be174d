import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazySecretsManager } from '../aws/clients.ts';
import { resolveCredentials } from '../aws/secrets.ts';
import type { SigningHubConfig } from '../config.ts';
import { SigningHubClient } from './signinghub-client.ts';

/**
 * The client a function uses: its settings, and credentials read (from Secrets Manager) once.
 * `secretsManager` is the client for that read: the functions' own by default, an operator
 * command's (its region and credentials) otherwise.
 */
export const signingHubClientFrom = (
  config: SigningHubConfig,
  secretsManager: () => SecretsManagerClient = lazySecretsManager,
): SigningHubClient =>
  new SigningHubClient({
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    timeoutMs: config.timeoutMs,
    credentials: () => resolveCredentials(config.credentials, secretsManager),
  });
