import { lazySecretsManager } from '../aws/clients.ts';
import { resolveCredentials } from '../aws/secrets.ts';
import type { SigningHubConfig } from '../config.ts';
import { SigningHubClient } from './signinghub-client.ts';

/** The client a function uses: its settings, and credentials read (from Secrets Manager) once. */
export const signingHubClientFrom = (config: SigningHubConfig): SigningHubClient =>
  new SigningHubClient({
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    timeoutMs: config.timeoutMs,
    credentials: () => resolveCredentials(config.credentials, lazySecretsManager),
  });
