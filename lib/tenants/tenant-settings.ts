import { callbackSecretProblem, parseBaseUrl } from '../config.ts';
import { SigningHubFinishError } from '../errors.ts';
import type { SigningHubAccess } from '../signinghub/access.ts';
import {
  grantFromKeys,
  type JsonRecord,
  jsonRecordOf,
  KeyProblem,
  lacking,
  stringKey,
  tlsFromKeys,
} from './settings-keys.ts';

/** What one tenant's secret says: how to reach its SigningHub, and the callback secrets it accepts. */
export interface TenantSettings {
  readonly access: SigningHubAccess;
  /** `callback_secret`, then `previous_callback_secret`, each when set; none: no callback accepted. */
  readonly callbackSecrets: readonly string[];
}

/** A tenant's secret does not hold valid settings: names the tenant and the keys, never a value. */
export class TenantSettingsError extends SigningHubFinishError {
  override name = 'TenantSettingsError';
  readonly tenant: string;
  /** The keys at fault; none when the secret is not a JSON object at all. */
  readonly keys: readonly string[];

  constructor(tenant: string, problem: KeyProblem) {
    super(`the settings of tenant "${tenant}"${problem.detail}`);
    this.tenant = tenant;
    this.keys = problem.keys;
  }
}

const CALLBACK_KEYS = ['callback_secret', 'previous_callback_secret'] as const;

const baseUrlOf = (record: JsonRecord): string | undefined => {
  const raw = stringKey(record, 'base_url');
  if (raw === undefined) return undefined;
  const parsed = parseBaseUrl(raw.trim());
  if ('problem' in parsed) throw new KeyProblem(['base_url'], `: base_url ${parsed.problem}`);
  return parsed.url;
};

const apiVersionOf = (record: JsonRecord): SigningHubAccess['apiVersion'] => {
  const raw = stringKey(record, 'api_version') ?? 'v3';
  if (raw !== 'v3' && raw !== 'v4') {
    throw new KeyProblem(['api_version'], ': api_version must be v3 or v4');
  }
  return raw;
};

const callbackSecretsOf = (record: JsonRecord): string[] =>
  CALLBACK_KEYS.flatMap((key) => {
    const secret = stringKey(record, key);
    if (secret === undefined) return [];
    const problem = callbackSecretProblem(secret);
    if (problem !== undefined) throw new KeyProblem([key], `: ${key} ${problem}`);
    return [secret];
  });

const settingsOf = (tenant: string, record: JsonRecord): TenantSettings => {
  const baseUrl = baseUrlOf(record);
  const apiVersion = apiVersionOf(record);
  const granted = grantFromKeys(record, undefined);
  const missing = [
    ...(baseUrl === undefined ? ['base_url'] : []),
    ...('missing' in granted ? granted.missing : []),
  ];
  if (baseUrl === undefined || 'missing' in granted) throw lacking(missing);
  const tls = tlsFromKeys(record);
  const callbackSecrets = callbackSecretsOf(record);
  return { access: { tenant, baseUrl, apiVersion, grant: granted.grant, tls }, callbackSecrets };
};

/**
 * The settings of `tenant` its secret's text gives, every key checked: `base_url` as
 * SIGNINGHUB_BASE_URL; `api_version`; `grant_type` and the keys its grant needs; the certificate
 * and its key, both or neither, parseable PEM; the CA; the callback secrets as CALLBACK_SECRET.
 * Anything else is a TenantSettingsError naming the tenant and the key.
 */
export const parseTenantSettings = (tenant: string, text: string): TenantSettings => {
  try {
    return settingsOf(tenant, jsonRecordOf(text));
  } catch (error) {
    if (error instanceof KeyProblem) throw new TenantSettingsError(tenant, error);
    throw error;
  }
};

/**
 * The callback secrets an earlier version of a tenant's secret (AWSPREVIOUS) still lets in: those
 * it holds that are valid. Never throws: a bad earlier version lets nothing in, and stops nothing.
 */
export const earlierCallbackSecrets = (text: string | undefined): string[] => {
  if (text === undefined) return [];
  try {
    const record = jsonRecordOf(text);
    return CALLBACK_KEYS.flatMap((key) => {
      const secret = record[key];
      return typeof secret === 'string' && callbackSecretProblem(secret) === undefined
        ? [secret]
        : [];
    });
  } catch {
    return [];
  }
};
