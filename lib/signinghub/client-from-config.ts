import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazySecretsManager } from '../aws/clients.ts';
import { type CredentialsReader, credentialsReader } from '../aws/secrets.ts';
import type { SigningHubConfig, SigningHubCredentials } from '../config.ts';
import type { MetricsPort } from '../metrics.ts';
import { AuthenticationError } from './errors.ts';
import type { CallOptions, FinishPort, WorkflowDetails, WorkflowPort } from './ports.ts';
import { SigningHubClient, type SigningHubClientOptions } from './signinghub-client.ts';

const sameCredentials = (a: SigningHubCredentials, b: SigningHubCredentials): boolean =>
  a.clientId === b.clientId &&
  a.clientSecret === b.clientSecret &&
  a.username === b.username &&
  a.password === b.password;

/**
 * SigningHub through a client built for the credentials the secret holds now. They are read
 * before each call, from Powertools' cache but for once per maximum age; when they have changed,
 * a new client (with new tokens) takes over. When SigningHub refuses them, they are read past the
 * cache once: a password rotated since the last read is used at once, and the call is made again.
 */
class RotatingSigningHub implements FinishPort, WorkflowPort {
  readonly #options: Omit<SigningHubClientOptions, 'credentials'>;
  readonly #read: CredentialsReader;
  #current:
    | { readonly credentials: SigningHubCredentials; readonly client: SigningHubClient }
    | undefined;

  constructor(options: Omit<SigningHubClientOptions, 'credentials'>, read: CredentialsReader) {
    this.#options = options;
    this.#read = read;
  }

  finishPackage(packageId: number, options: CallOptions): Promise<void> {
    return this.#call((client) => client.finishPackage(packageId, options));
  }

  getWorkflow(
    packageId: number,
    options: Pick<CallOptions, 'signal' | 'onRequestSent'>,
  ): Promise<WorkflowDetails | undefined> {
    return this.#call((client) => client.getWorkflow(packageId, options));
  }

  async #client(forceFetch: boolean): Promise<SigningHubClient> {
    const credentials = await this.#read({ forceFetch });
    if (!this.#current || !sameCredentials(this.#current.credentials, credentials)) {
      this.#current = {
        credentials,
        client: new SigningHubClient({ ...this.#options, credentials: async () => credentials }),
      };
    }
    return this.#current.client;
  }

  async #call<T>(call: (client: SigningHubClient) => Promise<T>): Promise<T> {
    const client = await this.#client(false);
    try {
      return await call(client);
    } catch (error) {
      // No finish was done: SigningHub refused the token request, or a token, before it.
      if (!(error instanceof AuthenticationError) || error.otpRequired) throw error;
      // Fresher credentials or none: a failed read leaves SigningHub's refusal as the answer.
      const fresh = await this.#client(true).catch(() => client);
      if (fresh === client) throw error;
      return call(fresh);
    }
  }
}

/**
 * SigningHub for a function: its settings, and credentials from the environment or from the
 * named secret (read again after `secretMaxAgeSeconds`, see RotatingSigningHub). `secretsManager`
 * is the client for that read: the functions' own by default, an operator command's (its region
 * and credentials) otherwise. A function passes its `metrics`; an operator command, which
 * publishes none, may leave them out.
 */
export const signingHubClientFrom = (
  config: SigningHubConfig,
  secretsManager: () => SecretsManagerClient = lazySecretsManager,
  metrics?: MetricsPort,
): FinishPort & WorkflowPort => {
  const options = {
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    timeoutMs: config.timeoutMs,
    metrics,
  };
  const { credentials } = config;
  if (credentials.kind === 'env') {
    return new SigningHubClient({ ...options, credentials: async () => credentials.credentials });
  }
  return new RotatingSigningHub(
    options,
    credentialsReader(credentials, secretsManager, config.secretMaxAgeSeconds),
  );
};
