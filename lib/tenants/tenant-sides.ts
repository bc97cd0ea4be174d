import type { ArchiveTenants } from '../archive/process-archive-batch.ts';
import { lazySecretsManager } from '../aws/clients.ts';
import type { CallbackTenant } from '../callback/handle-callback.ts';
import type { FinishConfig } from '../config.ts';
import type { FinishTenants } from '../finish/tenant-routing.ts';
import { type Log, withKeys } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import type { ReconcileTenant } from '../reconcile/reconcile-tenants.ts';
import type { DocumentsPort, FinishPort, WorkflowPort } from '../signinghub/ports.ts';
import { DynamoDbArchiveStore } from '../store/dynamodb-archive-store.ts';
import { DynamoDbFinishStore } from '../store/dynamodb-finish-store.ts';
import { DynamoDbPackageStore } from '../store/dynamodb-package-store.ts';
import type { DynamoDbTable } from '../store/dynamodb-table.ts';
import type { TenantRegistry } from '../store/ports.ts';
import type { TenantCircuits } from './circuit-breaker.ts';
import { TenantDirectory } from './tenant-directory.ts';

/**
 * A function's tenants, from its settings: the secrets under TENANTS_SECRET_PREFIX (none when it
 * is unset), read with the function's own Secrets Manager client and maximum age; `default` is
 * the function's own SigningHub.
 */
export const functionTenantDirectory = (
  config: FinishConfig,
  defaultSigningHub: FinishPort & WorkflowPort & DocumentsPort,
  observe: { readonly metrics: MetricsPort; readonly log: Log },
): TenantDirectory =>
  new TenantDirectory({
    prefix: config.tenantsSecretPrefix,
    secretsManager: lazySecretsManager,
    maxAgeSeconds: config.signingHub.secretMaxAgeSeconds,
    timeoutMs: config.signingHub.timeoutMs,
    metrics: observe.metrics,
    log: observe.log,
    defaultTenant: { signingHub: defaultSigningHub },
  });

/** What every tenant's side shares: the table, the registry of tenants, the directory. */
export interface TenantSidesOptions {
  readonly table: DynamoDbTable;
  readonly registry: TenantRegistry;
  readonly directory: TenantDirectory;
}

const packagesOf = ({ table, registry }: TenantSidesOptions, tenant: string) =>
  new DynamoDbPackageStore(table, tenant, registry);

/** The finish function's tenants: their stores, and their SigningHub from the directory. */
export const finishTenants = (options: TenantSidesOptions): FinishTenants => ({
  stores: (tenant) => ({
    finishes: new DynamoDbFinishStore(options.table, tenant),
    packages: packagesOf(options, tenant),
  }),
  signingHub: async (tenant) => {
    const opened = await options.directory.open(tenant);
    return opened.ok
      ? { ok: true, signingHub: opened.signingHub }
      : { ok: false, message: opened.message };
  },
});

/**
 * The callback function's tenants, by a name from the internet (the directory bounds its lookups):
 * undefined for one that may not be served, which the caller answers like a wrong secret. A
 * tenant that exists but whose settings are unusable is logged, so its operator learns why.
 */
export const callbackTenants = (
  options: TenantSidesOptions & {
    readonly now: () => Date;
    readonly metrics: MetricsPort;
    readonly log: Log;
  },
): { open(tenant: string): Promise<CallbackTenant | undefined> } => ({
  open: async (tenant) => {
    const opened = await options.directory.openForCallback(tenant);
    if (!opened.ok) {
      if (opened.reason === 'invalid' || opened.reason === 'unreadable') {
        options.metrics.count('TenantUnavailable');
        withKeys(options.log, { tenant }).warn(
          'callback for a tenant without usable settings refused',
          {
            reason: opened.message,
          },
        );
      }
      return undefined;
    }
    return {
      callbackSecret: opened.callbackSecrets,
      packages: packagesOf(options, tenant),
      signingHub: opened.signingHub,
      now: options.now,
      metrics: options.metrics,
    };
  },
});

/** The reconciler's side of each tenant: its packages and its SigningHub behind its circuit. */
export const reconcileTenant =
  (
    options: Omit<TenantSidesOptions, 'registry'> & {
      readonly now: () => Date;
      readonly metrics: MetricsPort;
      /** Absent: none (a deployment without tenants, as before). */
      readonly circuits: TenantCircuits | undefined;
    },
  ) =>
  async (tenant: string): Promise<ReconcileTenant> => {
    const opened = await options.directory.open(tenant);
    if (!opened.ok) return { ok: false, message: opened.message };
    return {
      ok: true,
      deps: {
        // No registry: the reconciler found the tenant there, and writes only confirmations.
        packages: new DynamoDbPackageStore(options.table, tenant),
        signingHub: options.circuits
          ? options.circuits.guardWorkflow(tenant, opened.signingHub)
          : opened.signingHub,
        now: options.now,
        metrics: options.metrics,
      },
    };
  };

/**
 * The archive's side of each tenant, `default` included: its package items, and its SigningHub's
 * documents from the directory, behind its circuit when there are circuits (tenants configured).
 */
export const archiveTenants = (
  options: Omit<TenantSidesOptions, 'registry'> & {
    /** Absent: none (a deployment without tenants, as before). */
    readonly circuits: TenantCircuits | undefined;
  },
): ArchiveTenants => ({
  open: async (tenant) => {
    const opened = await options.directory.open(tenant);
    if (!opened.ok) return { ok: false, message: opened.message };
    return {
      ok: true,
      side: {
        archive: new DynamoDbArchiveStore(options.table, tenant),
        documents: options.circuits
          ? options.circuits.guardDocuments(tenant, opened.signingHub)
          : opened.signingHub,
      },
    };
  },
});
