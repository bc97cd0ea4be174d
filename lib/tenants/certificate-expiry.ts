import type { Log } from '../logger.ts';
import type { MetricsPort } from '../metrics.ts';
import type { SigningHubAccess } from '../signinghub/access.ts';
import { certificateExpiry } from './settings-keys.ts';

/** A client certificate ending within this many days is warned of: time to renew it. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * What to do with the access each read of a secret gives: when its client certificate ends within
 * 30 days (or has ended), a warning naming the tenant and the date, and ClientCertificateExpiring
 * counted, so an alarm rings before the handshakes start failing.
 */
export const certificateWatch =
  (log: Log, metrics: Pick<MetricsPort, 'count'>, now: () => number = Date.now) =>
  (access: SigningHubAccess): void => {
    const expiry = certificateExpiry(access.tls);
    if (expiry === undefined || expiry.getTime() - now() > EXPIRY_WARNING_DAYS * DAY_MS) return;
    metrics.count('ClientCertificateExpiring');
    log.warn(`the tenant's client certificate expires within ${EXPIRY_WARNING_DAYS} days`, {
      tenant: access.tenant,
      expires: expiry.toISOString(),
    });
  };
