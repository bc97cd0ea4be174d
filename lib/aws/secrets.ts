import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallbackSecretSource, CredentialsSource, SigningHubCredentials } from '../config.ts';
import { SigningHubFinishError } from '../errors.ts';

/** A secret could not be read or does not hold what it should; never carries the secret's value. */
export class SecretError extends SigningHubFinishError {
  override name = 'SecretError';
}

const readSecret = async (client: SecretsManagerClient, secretId: string): Promise<string> => {
  let value: string | undefined;
  try {
    ({ SecretString: value } = await client.send(
      new GetSecretValueCommand({ SecretId: secretId }),
    ));
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    throw new SecretError(
      `could not read the secret "${secretId}" from Secrets Manager: ${reason}`,
      { cause: error },
    );
  }
  if (value === undefined || value === '') {
    throw new SecretError(`the secret "${secretId}" has no SecretString`);
  }
  return value;
};

const KEYS = {
  clientId: 'client_id',
  clientSecret: 'client_secret',
  username: 'username',
  password: 'password',
} as const satisfies Record<keyof SigningHubCredentials, string>;

/** SigningHub credentials from the environment, or from the named secret's JSON for what is unset. */
export const resolveCredentials = async (
  source: CredentialsSource,
  client: () => SecretsManagerClient,
): Promise<SigningHubCredentials> => {
  if (source.kind === 'env') return source.credentials;
  const text = await readSecret(client(), source.secretId);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SecretError(`the secret "${source.secretId}" is not JSON`);
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const resolved: Partial<Record<keyof SigningHubCredentials, string>> = {};
  const missing: string[] = [];
  for (const [field, key] of Object.entries(KEYS)) {
    const name = field as keyof SigningHubCredentials;
    const value = source.partial[name] ?? record[key];
    if (typeof value === 'string' && value !== '') resolved[name] = value;
    else missing.push(key);
  }
  const { clientId, clientSecret, username, password } = resolved;
  if (!clientId || !clientSecret || !username || !password) {
    throw new SecretError(`the secret "${source.secretId}" lacks the keys ${missing.join(', ')}`);
  }
  return { clientId, clientSecret, username, password };
};

/** The callback path's secret from CALLBACK_SECRET, or from the secret named by CALLBACK_SECRET_ID. */
export const resolveCallbackSecret = async (
  source: CallbackSecretSource,
  client: () => SecretsManagerClient,
): Promise<string> => {
  if (source.kind === 'env') return source.secret;
  const value = (await readSecret(client(), source.secretId)).trim();
  if (value.length < 16) {
    throw new SecretError(`the secret "${source.secretId}" must hold at least 16 characters`);
  }
  return value;
};

/** The callback path's secret, read once per cold start; a failed read is tried again next time. */
export const callbackSecretReader = (
  source: CallbackSecretSource,
  client: () => SecretsManagerClient,
): (() => Promise<string>) => {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= resolveCallbackSecret(source, client).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};
