import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type ReadOptions,
  SecretNotFoundError,
  type StageReader,
  stageReader,
} from '../aws/secrets.ts';
import { type Log, withKeys } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import type { DocumentsPort, FinishPort, WorkflowPort } from '../signinghub/ports.ts';
import { SigningHubClient } from '../signinghub/signinghub-client.ts';
import { TokenCache } from '../signinghub/token-cache.ts';
import { certificateWatch } from './certificate-expiry.ts';
import { AbsentNames, LookupBudget } from './lookup-guard.ts';
import { DEFAULT_TENANT, isTenantId } from './tenant-id.ts';
import {
  earlierCallbackSecrets,
  parseTenantSettings,
  type TenantSettings,
  TenantSettingsError,
} from './tenant-settings.ts';

/** A tenant's SigningHub: finish and its workflow details for every function, documents for the archive. */
type SigningHub = FinishPort & WorkflowPort & DocumentsPort;

export type OpenedTenant =
  | {
      readonly ok: true;
      readonly tenant: string;
      readonly signingHub: SigningHub;
      /** The callback secrets accepted now (current, and previous during a rotation); [] when none configured. */
      readonly callbackSecrets: () => Promise<readonly string[]>;
    }
  | {
      readonly ok: false;
      readonly tenant: string;
      readonly reason: 'unknown' | 'invalid' | 'unreadable' | 'throttled';
      readonly message: string;
    };

export interface TenantDirectoryOptions {
  /** TENANTS_SECRET_PREFIX; undefined: only `default` exists, and no secret is ever read. */
  readonly prefix: string | undefined;
  readonly secretsManager: () => SecretsManagerClient;
  /** How long a secret read (and a secret found missing) is kept: POWERTOOLS_PARAMETERS_MAX_AGE. */
  readonly maxAgeSeconds: number;
  /** One HTTP attempt's timeout, for every tenant's SigningHub. */
  readonly timeoutMs: number;
  readonly metrics: MetricsPort;
  readonly log: Log;
  readonly now?: () => number;
  /** The default tenant: built from the environment as today. */
  readonly defaultTenant: {
    readonly signingHub: SigningHub;
    readonly callbackSecrets?: () => Promise<readonly string[]>;
  };
  /** Lookups of names not yet known, per instance and minute, for callbacks; 300 by default. */
  readonly unknownLookupsPerMinute?: number;
  /** How many names found missing are remembered; 1,000 by default. */
  readonly absentCacheSize?: number;
  /** Shared by every tenant's client (tokens are kept per tenant and scope). */
  readonly tokens?: TokenCache;
}

/**
 * 300 lookups of names not yet known per instance and minute. Real traffic costs one lookup per
 * tenant per instance (a name found is known from then on, and one found missing is remembered
 * for the maximum age), so an instance would need 300 tenants seen for the first time in one
 * minute to meet it; a flood costs Secrets Manager at most 5 reads a second per instance.
 */
const DEFAULT_LOOKUPS_PER_MINUTE = 300;

/** 1,000 names found missing, some 100 bytes each: 100 kB at most. */
const DEFAULT_ABSENT_CACHE_SIZE = 1_000;

/** One tenant whose secret exists: its readers, the last settings they gave, and its client. */
class TenantEntry {
  readonly #tenant: string;
  readonly #client: (entry: TenantEntry) => SigningHub;
  #signingHub: SigningHub | undefined;
  readonly #current: StageReader;
  readonly #previous: StageReader;
  readonly #onSettings: (settings: TenantSettings) => void;
  readonly #onInvalid: (error: TenantSettingsError) => void;
  #parsed:
    | { readonly read: number; readonly result: TenantSettings | TenantSettingsError }
    | undefined;

  constructor(
    tenant: string,
    readers: { current: StageReader; previous: StageReader },
    client: (entry: TenantEntry) => SigningHub,
    watch: { settings: (s: TenantSettings) => void; invalid: (e: TenantSettingsError) => void },
  ) {
    this.#tenant = tenant;
    this.#current = readers.current;
    this.#previous = readers.previous;
    this.#client = client;
    this.#onSettings = watch.settings;
    this.#onInvalid = watch.invalid;
  }

  /** Built when first asked for: a name looked up and found missing never costs a client. */
  get signingHub(): SigningHub {
    this.#signingHub ??= this.#client(this);
    return this.#signingHub;
  }

  /** The settings as last read (read again past the maximum age, or when forced); parsed once per read. */
  async settings(options?: ReadOptions): Promise<TenantSettings> {
    const value = await this.#current(options);
    if (value === undefined)
      throw new SecretNotFoundError(`tenant "${this.#tenant}" has no secret`);
    if (this.#parsed?.read !== value.read) {
      let result: TenantSettings | TenantSettingsError;
      try {
        result = parseTenantSettings(this.#tenant, value.text);
        this.#onSettings(result);
      } catch (error) {
        if (!(error instanceof TenantSettingsError)) throw error;
        result = error;
        this.#onInvalid(error);
      }
      this.#parsed = { read: value.read, result };
    }
    const { result } = this.#parsed;
    if (result instanceof TenantSettingsError) throw result;
    return result;
  }

  /** The current version's callback secrets, then those of the previous version while it exists. */
  async callbackSecrets(): Promise<readonly string[]> {
    const [now, before] = await Promise.all([this.settings(), this.#previous()]);
    return [...new Set([...now.callbackSecrets, ...earlierCallbackSecrets(before?.text)])];
  }
}

/**
 * The tenants of a deployment, each opened to its SigningHub client and callback secrets from its
 * secret `<prefix><tenant>` (Powertools Parameters: read when first needed, kept for the maximum
 * age), `default` from the environment. A tenant's failures are its own: an unknown, unreadable
 * or invalid tenant is an answer naming it, never an error thrown at the caller.
 */
export class TenantDirectory {
  readonly #options: TenantDirectoryOptions;
  readonly #now: () => number;
  readonly #tokens: TokenCache;
  readonly #default: OpenedTenant;
  readonly #known = new Map<string, TenantEntry>();
  readonly #lookups = new Map<string, Promise<OpenedTenant>>();
  readonly #absent: AbsentNames;
  readonly #budget: LookupBudget;
  readonly #watch: (settings: TenantSettings) => void;

  constructor(options: TenantDirectoryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.tokens ?? new TokenCache(this.#now);
    const { signingHub, callbackSecrets = () => Promise.resolve([]) } = options.defaultTenant;
    this.#default = { ok: true, tenant: DEFAULT_TENANT, signingHub, callbackSecrets };
    this.#absent = new AbsentNames(
      options.absentCacheSize ?? DEFAULT_ABSENT_CACHE_SIZE,
      options.maxAgeSeconds * 1000,
      this.#now,
    );
    this.#budget = new LookupBudget(
      options.unknownLookupsPerMinute ?? DEFAULT_LOOKUPS_PER_MINUTE,
      this.#now,
    );
    const watch = certificateWatch(options.log, options.metrics, this.#now);
    this.#watch = (settings) => watch(settings.access);
  }

  /** Work already accepted (a signing event, the reconciler, an operator): reads the settings when needed. */
  open(tenant: string): Promise<OpenedTenant> {
    return this.#open(tenant, false);
  }

  /** A callback from the internet: the same, but an unknown name costs a lookup only within the bound. */
  openForCallback(tenant: string): Promise<OpenedTenant> {
    return this.#open(tenant, true);
  }

  async #open(tenant: string, bounded: boolean): Promise<OpenedTenant> {
    if (tenant === DEFAULT_TENANT) return this.#default;
    if (!isTenantId(tenant)) return refused(tenant, 'unknown', 'the tenant id is malformed');
    const { prefix } = this.#options;
    if (prefix === undefined) {
      return refused(
        tenant,
        'unknown',
        'no tenants are configured (TENANTS_SECRET_PREFIX is unset)',
      );
    }
    const known = this.#known.get(tenant);
    if (known) return this.#settle(tenant, known);
    if (this.#absent.has(tenant)) return refused(tenant, 'unknown', missing(prefix, tenant));
    const pending = this.#lookups.get(tenant);
    if (pending) return pending;
    if (bounded && !this.#budget.take()) return this.#throttled(tenant);
    const lookup = this.#settle(tenant, this.#entry(prefix, tenant)).finally(() => {
      this.#lookups.delete(tenant);
    });
    this.#lookups.set(tenant, lookup);
    return lookup;
  }

  /** What the entry's settings say now: a known tenant stays known while its secret exists. */
  async #settle(tenant: string, entry: TenantEntry): Promise<OpenedTenant> {
    try {
      await entry.settings();
      this.#known.set(tenant, entry);
      return {
        ok: true,
        tenant,
        signingHub: entry.signingHub,
        callbackSecrets: () => entry.callbackSecrets(),
      };
    } catch (error) {
      if (error instanceof TenantSettingsError) {
        this.#known.set(tenant, entry);
        return refused(tenant, 'invalid', error.message);
      }
      this.#known.delete(tenant);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SecretNotFoundError) {
        this.#absent.add(tenant);
        return refused(tenant, 'unknown', missing(this.#options.prefix, tenant));
      }
      this.#options.log.error('could not read the settings of a tenant', {
        tenant,
        reason: message,
      });
      return refused(tenant, 'unreadable', message);
    }
  }

  #throttled(tenant: string): OpenedTenant {
    const bound = this.#options.unknownLookupsPerMinute ?? DEFAULT_LOOKUPS_PER_MINUTE;
    const message = `more than ${bound} lookups of tenants not yet known this minute: not looked up`;
    this.#options.metrics.count('TenantLookupsThrottled');
    if (this.#budget.refused === 1) this.#options.log.warn(message, { tenant });
    return refused(tenant, 'throttled', message);
  }

  #entry(prefix: string, tenant: string): TenantEntry {
    const { secretsManager, maxAgeSeconds, timeoutMs, metrics, now } = this.#options;
    const secretId = `${prefix}${tenant}`;
    const log = withKeys(this.#options.log, { tenant });
    return new TenantEntry(
      tenant,
      {
        current: stageReader(secretsManager, secretId, 'AWSCURRENT', maxAgeSeconds),
        previous: stageReader(secretsManager, secretId, 'AWSPREVIOUS', maxAgeSeconds),
      },
      (entry) =>
        new SigningHubClient({
          timeoutMs,
          access: (options) => entry.settings(options).then((settings) => settings.access),
          tokens: this.#tokens,
          metrics,
          ...(now ? { now } : {}),
        }),
      {
        settings: this.#watch,
        invalid: (error) =>
          log.error('the settings of a tenant are invalid', {
            secret: secretId,
            keys: error.keys,
            reason: error.message,
          }),
      },
    );
  }
}

const missing = (prefix: string | undefined, tenant: string): string =>
  `tenant "${tenant}" has no secret "${prefix}${tenant}"`;

const refused = (
  tenant: string,
  reason: 'unknown' | 'invalid' | 'unreadable' | 'throttled',
  message: string,
): OpenedTenant => ({ ok: false, tenant, reason, message });
