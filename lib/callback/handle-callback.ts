import { type ConfirmDependencies, confirmPackage } from '../confirm/confirm-package.ts';
import { type Log, withKeys } from '../logger.ts';
import { isFinalPackageStatus, type PackageStatus } from '../store/items.ts';
import type { PackageStore, RejectedStore } from '../store/ports.ts';
import { DEFAULT_TENANT, isTenantId } from '../tenants/tenant-id.ts';
import { findPackageId } from './callback-package-id.ts';
import { redactedQuery } from './redact.ts';
import { secretMatches } from './secret-matches.ts';

export interface CallbackRequest {
  readonly method: string;
  /** The `{tenant}` segment of the tenant route, as received; undefined on the default route. */
  readonly tenant?: string | undefined;
  /** The `{secret}` segment of the path, as received. */
  readonly secret: string | undefined;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
  readonly requestId: string;
}

export interface CallbackResponse {
  readonly statusCode: number;
  readonly body?:
    | { readonly message: string }
    | { readonly packageId: number; readonly status: PackageStatus; readonly tenant?: string };
}

/** One tenant's side of a callback: its secrets, its packages and its SigningHub. */
export interface CallbackTenant extends ConfirmDependencies {
  readonly packages: ConfirmDependencies['packages'] & Pick<PackageStore, 'recordCallback'>;
  /** The secrets the path may carry (the current, and the previous during a rotation). */
  readonly callbackSecret: () => Promise<string | readonly string[]>;
}

export interface CallbackDependencies extends CallbackTenant {
  readonly rejected: RejectedStore;
  /**
   * Tenants other than `default`, by a name from the internet: undefined for one that is unknown,
   * has no usable settings, or may not be looked up now (the lookups are bounded). Absent: none.
   */
  readonly tenants?: { open(tenant: string): Promise<CallbackTenant | undefined> } | undefined;
}

const UNAUTHORIZED: CallbackResponse = { statusCode: 401, body: { message: 'Unauthorized' } };

/** The tenant the path names, or undefined when it names none that may be served. */
const tenantOf = async (
  request: CallbackRequest,
  deps: CallbackDependencies,
): Promise<{ readonly tenant: string; readonly side: CallbackTenant } | undefined> => {
  const tenant = request.tenant ?? DEFAULT_TENANT;
  if (tenant === DEFAULT_TENANT) return { tenant, side: deps };
  // Checked before any lookup: a name from the internet costs nothing until it is well-formed.
  if (!isTenantId(tenant) || deps.tenants === undefined) return undefined;
  const side = await deps.tenants.open(tenant);
  return side && { tenant, side };
};

/**
 * A call from SigningHub: authenticated by the secret in the path, stored first, then confirmed
 * with SigningHub's workflow details; the body is only a hint of which package to look at.
 */
export const handleCallback = async (
  request: CallbackRequest,
  deps: CallbackDependencies,
  log: Log,
  signal?: AbortSignal,
): Promise<CallbackResponse> => {
  const found = await tenantOf(request, deps);
  // An unknown tenant and a wrong secret look alike from outside: the URL reveals no tenant.
  if (found === undefined || !secretMatches(request.secret, await found.side.callbackSecret())) {
    log.warn('callback with a wrong or missing secret, or an unknown tenant, refused');
    deps.metrics.count('CallbackUnauthorised');
    return UNAUTHORIZED;
  }
  const { tenant, side } = found;
  const named = tenant === DEFAULT_TENANT ? {} : { tenant };
  const tenantLog = tenant === DEFAULT_TENANT ? log : withKeys(log, { tenant });
  if (request.method === 'HEAD') return { statusCode: 200 };
  if (request.method !== 'GET' && request.method !== 'POST') {
    return { statusCode: 405, body: { message: `${request.method} is not allowed` } };
  }

  const search = await findPackageId(request);
  if (!search.ok) {
    await deps.rejected.putRejected({
      id: `callback-${request.requestId}`,
      source: 'callback',
      reason: search.reason,
      raw: `${request.method} ?${redactedQuery(request.query)}\n\n${request.body ?? ''}`,
      receivedAt: deps.now().toISOString(),
      tenant,
    });
    tenantLog.warn('callback rejected', { reason: search.reason });
    deps.metrics.count('CallbackRejected');
    return { statusCode: 400, body: { message: search.reason } };
  }

  const { packageId } = search;
  const packageLog = withKeys(tenantLog, { packageId });
  const stored = await side.packages.recordCallback(packageId, deps.now());
  if (isFinalPackageStatus(stored.status)) {
    packageLog.info('callback for a package already final; nothing to confirm', {
      status: stored.status,
    });
    deps.metrics.count('CallbackAccepted');
    return { statusCode: 200, body: { packageId, status: stored.status, ...named } };
  }
  const confirmed = await confirmPackage(packageId, side, packageLog, signal);
  const status = confirmed.confirmed ? confirmed.status : stored.status;
  deps.metrics.count('CallbackAccepted');
  return { statusCode: 200, body: { packageId, status, ...named } };
};
