import { type ConfirmDependencies, confirmPackage } from '../confirm/confirm-package.ts';
import { type Log, withKeys } from '../logger.ts';
import { isFinalPackageStatus, type PackageStatus } from '../store/items.ts';
import type { PackageStore, RejectedStore } from '../store/ports.ts';
import { findPackageId } from './callback-package-id.ts';
import { redactedQuery } from './redact.ts';
import { secretMatches } from './secret-matches.ts';

export interface CallbackRequest {
  readonly method: string;
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
    | { readonly packageId: number; readonly status: PackageStatus };
}

export interface CallbackDependencies extends ConfirmDependencies {
  readonly packages: ConfirmDependencies['packages'] & Pick<PackageStore, 'recordCallback'>;
  readonly rejected: RejectedStore;
  /** The secrets the path may carry (the current, and the previous during a rotation). */
  readonly callbackSecret: () => Promise<string | readonly string[]>;
}

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
  if (!secretMatches(request.secret, await deps.callbackSecret())) {
    log.warn('callback with a wrong or missing secret refused');
    deps.metrics.count('CallbackUnauthorised');
    return { statusCode: 401, body: { message: 'Unauthorized' } };
  }
  if (request.method === 'HEAD') return { statusCode: 200 };
  if (request.method !== 'GET' && request.method !== 'POST') {
    return { statusCode: 405, body: { message: `${request.method} is not allowed` } };
  }

  const search = findPackageId(request);
  if (!search.ok) {
    await deps.rejected.putRejected({
      id: `callback-${request.requestId}`,
      source: 'callback',
      reason: search.reason,
      raw: `${request.method} ?${redactedQuery(request.query)}\n\n${request.body ?? ''}`,
      receivedAt: deps.now().toISOString(),
    });
    log.warn('callback rejected', { reason: search.reason });
    deps.metrics.count('CallbackRejected');
    return { statusCode: 400, body: { message: search.reason } };
  }

  const { packageId } = search;
  const packageLog = withKeys(log, { packageId });
  const stored = await deps.packages.recordCallback(packageId, deps.now());
  if (isFinalPackageStatus(stored.status)) {
    packageLog.info('callback for a package already final; nothing to confirm', {
      status: stored.status,
    });
    deps.metrics.count('CallbackAccepted');
    return { statusCode: 200, body: { packageId, status: stored.status } };
  }
  const confirmed = await confirmPackage(packageId, deps, packageLog, signal);
  const status = confirmed.confirmed ? confirmed.status : stored.status;
  deps.metrics.count('CallbackAccepted');
  return { statusCode: 200, body: { packageId, status } };
};
