import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsGetOptions } from '@aws-lambda-powertools/parameters/secrets/types';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type CallbackSecretSource,
  CREDENTIAL_NAMES,
  type CredentialsSource,
  collectCredentials,
  type SigningHubCredentials,
} from '../config.ts';
import { SigningHubFinishError } from '../errors.ts';

/** A secret could not be read or does not hold what it should; never carries the secret's value. */
export class SecretError extends SigningHubFinishError {
  override name = 'SecretError';
}

type VersionStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/** What the cache holds for a staging label no version carries: an answer like any other. */
const ABSENT = new Uint8Array(0);

const isNotFound = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ResourceNotFoundException';

/**
 * Powertools' Secrets Manager provider for one staging label. Its cache is keyed by the name and
 * the transform alone, not by `sdkOptions` (powertools-lambda-typescript#5622): each label needs a
 * provider, and so a cache, of its own. AWSPREVIOUS is missing until the first rotation and after
 * an operator removes it (ResourceNotFoundException); that absence is cached like a value, so it
 * costs one read per maximum age, not one per call.
 */
class StageProvider extends SecretsProvider {
  readonly #stage: VersionStage;

  constructor(client: SecretsManagerClient, stage: VersionStage) {
    super({ awsSdkV3Client: client });
    this.#stage = stage;
  }

  protected override async _get(
    name: string,
    options?: NonNullable<SecretsGetOptions>,
  ): Promise<string | Uint8Array | undefined> {
    try {
      return await super._get(name, { ...options, sdkOptions: { VersionStage: this.#stage } });
    } catch (error) {
      if (this.#stage === 'AWSPREVIOUS' && isNotFound(error)) return ABSENT;
      throw error;
    }
  }
}

export interface ReadOptions {
  /** Past the cache: read the secret now (and cache what comes back). */
  readonly forceFetch?: boolean;
}

/** The SDK's error name only: its message is the service's, and says nothing the name does not. */
const reasonOf = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.name : 'unknown error';
};

/**
 * One staging label of one secret, read through Powertools with `maxAgeSeconds`: a failed read is
 * not cached (the next call reads again), and no error carries the value. Undefined: no version
 * carries the label (only AWSPREVIOUS can be missing). No transform: Powertools' JSON transform
 * would quote the text it could not parse in its error.
 */
const stageReader = (
  client: () => SecretsManagerClient,
  secretId: string,
  stage: VersionStage,
  maxAgeSeconds: number,
): ((options?: ReadOptions) => Promise<string | undefined>) => {
  let provider: StageProvider | undefined;
  let reading: Promise<string | Uint8Array | undefined> | undefined;
  const get = (forceFetch: boolean) => {
    provider ??= new StageProvider(client(), stage);
    return provider.get(secretId, { maxAge: maxAgeSeconds, forceFetch });
  };
  return async ({ forceFetch = false } = {}) => {
    let value: string | Uint8Array | undefined;
    try {
      // Calls at once share one read (Powertools would send one each); a forced one reads anew.
      if (forceFetch) value = await get(true);
      else {
        reading ??= get(false).finally(() => {
          reading = undefined;
        });
        value = await reading;
      }
    } catch (error) {
      const label = stage === 'AWSCURRENT' ? '' : ` (${stage})`;
      throw new SecretError(
        `could not read the secret "${secretId}"${label} from Secrets Manager: ${reasonOf(error)}`,
        { cause: error },
      );
    }
    if (value === ABSENT) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new SecretError(`the secret "${secretId}" has no SecretString`);
    }
    return value;
  };
};

type SecretCredentialsSource = Extract<CredentialsSource, { kind: 'secret' }>;

const credentialsFrom = (source: SecretCredentialsSource, text: string): SigningHubCredentials => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SecretError(`the secret "${source.secretId}" is not JSON`);
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const { missing, credentials } = collectCredentials((field) => {
    const value = source.partial[field] ?? record[CREDENTIAL_NAMES[field].secretKey];
    return typeof value === 'string' && value !== '' ? value : undefined;
  });
  if (credentials === undefined) {
    const keys = missing.map((field) => CREDENTIAL_NAMES[field].secretKey);
    throw new SecretError(`the secret "${source.secretId}" lacks the keys ${keys.join(', ')}`);
  }
  return credentials;
};

type CredentialsReader = (options?: ReadOptions) => Promise<SigningHubCredentials>;

/**
 * SigningHub credentials from the named secret's JSON (AWSCURRENT), with the variables that are
 * set in place of its keys; read again once `maxAgeSeconds` have passed, or when forced.
 */
export const credentialsReader = (
  source: SecretCredentialsSource,
  client: () => SecretsManagerClient,
  maxAgeSeconds: number,
): CredentialsReader => {
  const current = stageReader(client, source.secretId, 'AWSCURRENT', maxAgeSeconds);
  return async (options) => {
    const text = await current(options);
    if (text === undefined) throw new SecretError(`the secret "${source.secretId}" has no value`);
    return credentialsFrom(source, text);
  };
};

const MIN_CALLBACK_SECRET_LENGTH = 16;

/**
 * The secrets a callback's path may carry: CALLBACK_SECRET; or the named secret's AWSCURRENT and,
 * while a rotation is under way, its AWSPREVIOUS, so SigningHub's URL can change after the secret.
 * Both are read again once `maxAgeSeconds` have passed. A current value shorter than 16 characters
 * fails the read; such a previous one is not accepted.
 */
export const callbackSecretReader = (
  source: CallbackSecretSource,
  client: () => SecretsManagerClient,
  maxAgeSeconds: number,
): (() => Promise<readonly string[]>) => {
  if (source.kind === 'env') {
    const accepted = [source.secret];
    return () => Promise.resolve(accepted);
  }
  const { secretId } = source;
  const current = stageReader(client, secretId, 'AWSCURRENT', maxAgeSeconds);
  const previous = stageReader(client, secretId, 'AWSPREVIOUS', maxAgeSeconds);
  return async () => {
    // Both at once; when both fail, the current's failure is the one to tell.
    const [now, before] = await Promise.allSettled([current(), previous()]);
    if (now.status === 'rejected') throw now.reason;
    if (before.status === 'rejected') throw before.reason;
    const secret = now.value?.trim() ?? '';
    if (secret.length < MIN_CALLBACK_SECRET_LENGTH) {
      throw new SecretError(
        `the secret "${secretId}" must hold at least ${MIN_CALLBACK_SECRET_LENGTH} characters`,
      );
    }
    const old = before.value?.trim() ?? '';
    return old.length >= MIN_CALLBACK_SECRET_LENGTH ? [secret, old] : [secret];
  };
};
