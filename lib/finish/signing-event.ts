import { parsePackageId } from '../package-id.ts';
import { DEFAULT_TENANT, tenantOf } from '../tenants/tenant-id.ts';

export interface SigningEvent {
  /** The SigningHub enterprise: `default` when the event names none. */
  readonly tenant: string;
  readonly packageId: number;
  /** Lower-case; undefined when the account finishes for itself. */
  readonly signerEmail: string | undefined;
  readonly eventId: string | undefined;
  readonly occurredAt: string | undefined;
}

export type SigningEventParse =
  | { readonly ok: true; readonly event: SigningEvent }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The tenant a rejected event named, when well-formed and not `default`: its item says so. */
      readonly tenant?: string;
    };

const EMAIL = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+$/;
const MAX_EMAIL_LENGTH = 254;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An ISO 8601 instant: date, time and an explicit zone (Z or ±hh:mm). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** `occurredAt` in epoch ms, when it is an ISO 8601 instant (with its zone); undefined otherwise. */
export const occurredAtMs = (event: Pick<SigningEvent, 'occurredAt'>): number | undefined => {
  if (event.occurredAt === undefined || !INSTANT.test(event.occurredAt)) return undefined;
  const ms = Date.parse(event.occurredAt);
  return Number.isFinite(ms) ? ms : undefined;
};

const reject = (reason: string, tenant?: string): SigningEventParse =>
  tenant === undefined || tenant === DEFAULT_TENANT
    ? { ok: false, reason }
    : { ok: false, reason, tenant };

const optionalText = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, 256) : undefined;

/** A message body: the signing event itself, or an EventBridge envelope whose `detail` is it. */
export const parseSigningEvent = (body: string): SigningEventParse => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reject('the body is not JSON');
  }
  if (!isObject(parsed)) return reject('the body is not a JSON object');
  const event = !('packageId' in parsed) && isObject(parsed.detail) ? parsed.detail : parsed;
  const tenant = tenantOf(event.tenant);
  if (tenant === undefined) {
    return reject(
      'tenant must be a tenant id: 1 to 40 of a-z, 0-9 and -, starting and ending with a letter or digit',
    );
  }
  if (!('packageId' in event)) return reject('packageId is missing', tenant);
  const packageId = parsePackageId(event.packageId);
  if (packageId === undefined) {
    return reject(
      'packageId must be a positive integer (a JSON number or a decimal string)',
      tenant,
    );
  }
  let signerEmail: string | undefined;
  if (event.signerEmail !== undefined && event.signerEmail !== null) {
    if (typeof event.signerEmail !== 'string')
      return reject('signerEmail must be a string', tenant);
    const email = event.signerEmail.trim().toLowerCase();
    if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
      return reject('signerEmail is not an email address', tenant);
    }
    signerEmail = email;
  }
  const eventId =
    typeof event.eventId === 'number' ? String(event.eventId) : optionalText(event.eventId);
  return {
    ok: true,
    event: { tenant, packageId, signerEmail, eventId, occurredAt: optionalText(event.occurredAt) },
  };
};
