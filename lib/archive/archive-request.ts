import { parsePackageId } from '../package-id.ts';
import { DEFAULT_TENANT, tenantOf } from '../tenants/tenant-id.ts';

/** The completion events' source: the stack's own EventBridge events. */
export const STACK_EVENT_SOURCE = 'signinghub.finish';
/** What the EventBridge rule puts on ArchiveQueue: the completion event of a COMPLETED package. */
export const COMPLETED_DETAIL_TYPE = 'SigningPackageCompleted';
/** An operator's request (`npm run archive`), put on ArchiveQueue in the same envelope. */
export const ARCHIVE_REQUESTED_DETAIL_TYPE = 'SigningPackageArchiveRequested';
export const OPERATOR_SOURCE = 'signinghub.finish.operator';

/** One package to archive. */
export interface ArchiveRequest {
  readonly packageId: number;
  /** `default` for the default tenant. */
  readonly tenant: string;
  /** Archive again a package already ARCHIVED (an operator's `--force`); never from an event. */
  readonly force: boolean;
}

export type ArchiveMessageParse =
  | { readonly ok: true; readonly request: ArchiveRequest }
  | { readonly ok: false; readonly reason: string; readonly tenant?: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An operator's archive request as ArchiveQueue's message body. */
export const archiveRequestBody = (request: ArchiveRequest): string =>
  JSON.stringify({
    version: '0',
    source: OPERATOR_SOURCE,
    'detail-type': ARCHIVE_REQUESTED_DETAIL_TYPE,
    time: new Date().toISOString(),
    detail: {
      packageId: request.packageId,
      ...(request.tenant === DEFAULT_TENANT ? {} : { tenant: request.tenant }),
      force: request.force,
    },
  });

/**
 * An ArchiveQueue message: a `SigningPackageCompleted` event of the stack's (as the EventBridge
 * rule delivers it), or an operator's request. Anything else is refused with its reason.
 */
export const parseArchiveMessage = (body: string): ArchiveMessageParse => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (!isObject(parsed) || !isObject(parsed.detail)) {
    return { ok: false, reason: 'the body is not an event with a detail object' };
  }
  const fromEvent =
    parsed.source === STACK_EVENT_SOURCE && parsed['detail-type'] === COMPLETED_DETAIL_TYPE;
  const fromOperator =
    parsed.source === OPERATOR_SOURCE && parsed['detail-type'] === ARCHIVE_REQUESTED_DETAIL_TYPE;
  if (!fromEvent && !fromOperator) {
    return {
      ok: false,
      reason: `not an archive request: source and detail-type must be ${STACK_EVENT_SOURCE} ${COMPLETED_DETAIL_TYPE} or ${OPERATOR_SOURCE} ${ARCHIVE_REQUESTED_DETAIL_TYPE}`,
    };
  }
  const { detail } = parsed;
  const tenant = tenantOf(detail.tenant);
  if (tenant === undefined) {
    return { ok: false, reason: 'detail.tenant is not a tenant id' };
  }
  const named = tenant === DEFAULT_TENANT ? {} : { tenant };
  const packageId = parsePackageId(detail.packageId);
  if (packageId === undefined) {
    return { ok: false, reason: 'detail.packageId is not a package id', ...named };
  }
  if (fromEvent && detail.status !== undefined && detail.status !== 'COMPLETED') {
    return { ok: false, reason: 'the completion event is not of a COMPLETED package', ...named };
  }
  const force = fromOperator && detail.force === true;
  return { ok: true, request: { packageId, tenant, force } };
};
