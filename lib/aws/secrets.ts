import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsGetOptions } from '@aws-lambda-powertools/parameters/secrets/types';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallbackSecretSource, CredentialsSource, SigningHubConfig } from '../config.ts';
import { SigningHubFinishError } from '../errors.ts';
import type { AccessReader, SigningHubAccess } from '../signinghub/access.ts';
import {
  grantFromKeys,
  jsonRecordOf,
  KeyProblem,
  lacking,
  tlsFromKeys,
} from '../tenants/settings-keys.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';

/** A secret could not be read or does not hold what it should; never carries the secret's value. */
export class SecretError extends SigningHubFinishError {
  override name = 'SecretError';
}

/** No secret of that name exists (ResourceNotFoundException on its AWSCURRENT). */
export class SecretNotFoundError extends SecretError {
  override name = 'SecretNotFoundError';
}

export type VersionStage = 'AWSCURRENT' | 'AWSPREVIOUS';

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
  /** How many answers Secrets Manager gave (the cache's answers not counted). */
  reads = 0;

  constructor(client: SecretsManagerClient, stage: VersionStage) {
    super({ awsSdkV3Client: client });
    this.#stage = stage;
  }

  protected override async _get(
    name: string,
    options?: NonNullable<SecretsGetOptions>,
  ): Promise<string | Uint8Array | undefined> {
    let value: string | Uint8Array | undefined;
    try {
      value = await super._get(name, { ...options, sdkOptions: { VersionStage: this.#stage } });
    } catch (error) {
      if (this.#stage === 'AWSCURRENT' || !isNotFound(error)) throw error;
      value = ABSENT;
    }
    this.reads += 1;
    return value;
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

/** A staging label's value, and which read from Secrets Manager gave it (1, 2, …). */
export interface StageValue {
  readonly text: string;
  /** The same while the cache answers: a new number is a new read. */
  readonly read: number;
}

export type StageReader = (options?: ReadOptions) => Promise<StageValue | undefined>;

/**
 * One staging label of one secret, read through Powertools with `maxAgeSeconds`: a failed read is
 * not cached (the next call reads again), and no error carries the value. Undefined: no version
 * carries the label (only AWSPREVIOUS can be missing; a missing secret is a SecretNotFoundError).
 * No transform: Powertools' JSON transform would quote the text it could not parse in its error.
 */
export const stageReader = (
  client: () => SecretsManagerClient,
  secretId: string,
  stage: VersionStage,
  maxAgeSeconds: number,
): StageReader => {
  let built: StageProvider | undefined;
  const provider = () => {
    built ??= new StageProvider(client(), stage);
    return built;
  };
  let reading: Promise<string | Uint8Array | undefined> | undefined;
  const get = (forceFetch: boolean) =>
    provider().get(secretId, { maxAge: maxAgeSeconds, forceFetch });
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
      const Failure =
        reasonOf(error) === 'ResourceNotFoundException' ? SecretNotFoundError : SecretError;
      throw new Failure(
        `could not read the secret "${secretId}"${label} from Secrets Manager: ${reasonOf(error)}`,
        { cause: error },
      );
    }
    if (value === ABSENT) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new SecretError(`the secret "${secretId}" has no SecretString`);
    }
    return { text: value, read: provider().reads };
  };
};

type SecretCredentialsSource = Extract<CredentialsSource, { kind: 'secret' }>;

/** The grant and TLS material of the credentials secret's JSON, the variables set in place of its keys. */
const accessFrom = (
  source: SecretCredentialsSource,
  text: string,
): Pick<SigningHubAccess, 'grant' | 'tls'> => {
  try {
    const record = jsonRecordOf(text);
    const granted = grantFromKeys(record, source.grantType, source.partial);
    if ('missing' in granted) throw lacking(granted.missing);
    return { grant: granted.grant, tls: tlsFromKeys(record) };
  } catch (error) {
    if (error instanceof KeyProblem) {
      throw new SecretError(`the secret "${source.secretId}"${error.detail}`);
    }
    throw error;
  }
};

/**
 * The default tenant's access: the base URL and API version of the environment; the grant from the
 * environment, or from the credentials secret's JSON (AWSCURRENT) with the variables that are set
 * in place of its keys, and the TLS material that secret holds. The secret is read again once
 * `maxAgeSeconds` have passed, or when forced; `onRead` sees the access each read gives, once.
 */
export const defaultAccessReader = (
  config: Pick<SigningHubConfig, 'baseUrl' | 'apiVersion' | 'credentials'>,
  client: () => SecretsManagerClient,
  maxAgeSeconds: number,
  onRead: (access: SigningHubAccess) => void = () => {},
): AccessReader => {
  const { baseUrl, apiVersion, credentials } = config;
  const base = { tenant: DEFAULT_TENANT, baseUrl, apiVersion };
  if (credentials.kind === 'env') {
    const access: SigningHubAccess = { ...base, grant: credentials.grant, tls: undefined };
    return () => Promise.resolve(access);
  }
  const current = stageReader(client, credentials.secretId, 'AWSCURRENT', maxAgeSeconds);
  let last: { read: number; access: SigningHubAccess } | undefined;
  return async (options) => {
    const value = await current(options);
    if (value === undefined)
      throw new SecretError(`the secret "${credentials.secretId}" has no value`);
    if (last?.read !== value.read) {
      last = { read: value.read, access: { ...base, ...accessFrom(credentials, value.text) } };
      onRead(last.access);
    }
    return last.access;
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
    const secret = now.value?.text.trim() ?? '';
    if (secret.length < MIN_CALLBACK_SECRET_LENGTH) {
      throw new SecretError(
        `the secret "${secretId}" must hold at least ${MIN_CALLBACK_SECRET_LENGTH} characters`,
      );
    }
    const old = before.value?.text.trim() ?? '';
    return old.length >= MIN_CALLBACK_SECRET_LENGTH ? [secret, old] : [secret];
  };
};
