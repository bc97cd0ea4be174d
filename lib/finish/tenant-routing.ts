import type { FinishPort } from '../signinghub/ports.ts';
import type { TenantCircuits } from '../tenants/circuit-breaker.ts';
import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import type { FinishDependencies } from './finish-package.ts';

/** A tenant's side of the table. */
export type TenantStores = Pick<FinishDependencies, 'finishes' | 'packages'>;

/** A tenant's SigningHub, or why there is none now (no settings, bad settings, unreadable). */
export type TenantSigningHub =
  | { readonly ok: true; readonly signingHub: FinishPort }
  | { readonly ok: false; readonly message: string };

/** The tenants other than `default`: their stores, and their SigningHub once their settings are read. */
export interface FinishTenants {
  stores(tenant: string): TenantStores;
  signingHub(tenant: string): Promise<TenantSigningHub>;
}

export interface TenantRouting {
  /** Tenants other than default; absent: there are none (their events wait in the queue). */
  readonly tenants?: FinishTenants | undefined;
  /** A circuit per tenant; absent: none (a deployment without tenants, as before). */
  readonly circuits?: TenantCircuits | undefined;
}

const NO_TENANTS = 'no tenants are configured (TENANTS_SECRET_PREFIX is empty)';

/** The stores of the tenant: the default tenant's are the dependencies' own. */
export const storesOf = (
  tenant: string,
  deps: TenantStores & TenantRouting,
): TenantStores | undefined => (tenant === DEFAULT_TENANT ? deps : deps.tenants?.stores(tenant));

/**
 * The dependencies a tenant's finish runs with: its stores and its SigningHub, behind its circuit;
 * or why its event cannot be finished now.
 */
export const finishDependenciesOf = async <D extends FinishDependencies & TenantRouting>(
  tenant: string,
  deps: D,
): Promise<
  { readonly ok: true; readonly deps: D } | { readonly ok: false; readonly message: string }
> => {
  let signingHub: FinishPort;
  let stores: TenantStores = deps;
  if (tenant === DEFAULT_TENANT) signingHub = deps.signingHub;
  else {
    if (deps.tenants === undefined) return { ok: false, message: NO_TENANTS };
    const found = await deps.tenants.signingHub(tenant);
    if (!found.ok) return found;
    signingHub = found.signingHub;
    stores = deps.tenants.stores(tenant);
  }
  const guarded = deps.circuits ? deps.circuits.guardFinish(tenant, signingHub) : signingHub;
  return { ok: true, deps: { ...deps, ...stores, signingHub: guarded } };
};
