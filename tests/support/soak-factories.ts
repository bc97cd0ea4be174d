import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callbackEvent, eventBridgeEnvelope, signingEventBody } from './factories.ts';

/** The ways SigningHub (and integrations in front of it) tell us about a package. */
export type CallbackShape =
  | 'query-document-id'
  | 'query-package-id'
  | 'webhook-number'
  | 'webhook-string'
  | 'form'
  | 'xml-report'
  | 'xml-report-base64';

export const CALLBACK_SHAPES: readonly CallbackShape[] = [
  'query-document-id',
  'query-package-id',
  'webhook-number',
  'webhook-string',
  'form',
  'xml-report',
  'xml-report-base64',
];

const xmlReport = (packageId: number): string =>
  '<?xml version="1.0" encoding="utf-8"?><WorkflowCompletionReport>' +
  `<DocumentID>${packageId}</DocumentID><DocumentName>package-${packageId}.pdf</DocumentName>` +
  '</WorkflowCompletionReport>';

/** Where a callback goes: the default route, or a tenant's route with that tenant's secret. */
export interface CallbackRoute {
  readonly secret: string;
  /** Undefined: the default route `/signinghub/callback/{secret}`. */
  readonly tenant?: string | undefined;
}

/**
 * A callback for a package in one of the shapes SigningHub uses. Webhooks always claim
 * COMPLETED, whatever the package's state: the function must not believe them.
 */
export const callbackFor = (
  shape: CallbackShape,
  packageId: number,
  route: CallbackRoute,
): APIGatewayProxyEventV2 => {
  const { secret, tenant } = route;
  switch (shape) {
    case 'query-document-id':
      return callbackEvent({
        secret,
        tenant,
        query: { document_id: String(packageId), user_email: 'someone@example.com' },
      });
    case 'query-package-id':
      return callbackEvent({ secret, tenant, query: { package_id: String(packageId) } });
    case 'webhook-number':
    case 'webhook-string':
      return callbackEvent({
        secret,
        tenant,
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({
          package_id: shape === 'webhook-number' ? packageId : String(packageId),
          package_status: 'COMPLETED',
        }),
      });
    case 'form':
      return callbackEvent({
        secret,
        tenant,
        method: 'POST',
        contentType: 'application/x-www-form-urlencoded',
        body: `package_id=${packageId}&package_status=COMPLETED`,
      });
    case 'xml-report':
    case 'xml-report-base64':
      return callbackEvent({
        secret,
        tenant,
        method: 'POST',
        contentType: 'application/xml',
        body: xmlReport(packageId),
        base64: shape === 'xml-report-base64',
      });
  }
};

/**
 * Requests that must be refused: 401 for the secret (or a tenant that may not be served: unknown,
 * malformed, or named with another tenant's secret), 400 (and a rejected item) for the rest.
 */
export type HostileCallbackKind =
  | 'wrong-secret-same-length'
  | 'missing-secret'
  | 'unknown-tenant'
  | 'malformed-tenant'
  | 'another-tenants-secret'
  | 'no-package-id'
  | 'signed-id'
  | 'exponent-id'
  | 'leading-zero-id'
  | 'unicode-digits'
  | 'unsafe-integer'
  | 'xml-entities'
  | 'path-in-id';

export const HOSTILE_CALLBACK_KINDS: readonly HostileCallbackKind[] = [
  'wrong-secret-same-length',
  'missing-secret',
  'unknown-tenant',
  'malformed-tenant',
  'another-tenants-secret',
  'no-package-id',
  'signed-id',
  'exponent-id',
  'leading-zero-id',
  'unicode-digits',
  'unsafe-integer',
  'xml-entities',
  'path-in-id',
];

export interface HostileCallback {
  readonly event: APIGatewayProxyEventV2;
  readonly expectedStatus: 400 | 401;
}

/** The same secret with its last character changed: equal length, so only the content differs. */
export const sameLengthWrongSecret = (secret: string): string =>
  `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;

/**
 * A request of `kind` on `route` about `packageId`; `other` is another tenant's route, whose secret
 * an attacker who knows one tenant's might try on another's.
 */
export const hostileCallback = (
  kind: HostileCallbackKind,
  route: CallbackRoute,
  packageId: number,
  other: CallbackRoute,
): HostileCallback => {
  const { secret, tenant } = route;
  const id = { package_id: String(packageId) };
  const refused = (event: APIGatewayProxyEventV2): HostileCallback => ({
    event,
    expectedStatus: 401,
  });
  const query = (value: string): HostileCallback => ({
    event: callbackEvent({ secret, tenant, query: { package_id: value } }),
    expectedStatus: 400,
  });
  switch (kind) {
    case 'wrong-secret-same-length':
      return refused(callbackEvent({ secret: sameLengthWrongSecret(secret), tenant, query: id }));
    case 'missing-secret':
      return refused(callbackEvent({ tenant, query: id }));
    case 'unknown-tenant':
      return refused(callbackEvent({ secret, tenant: 'no-such-tenant', query: id }));
    case 'malformed-tenant':
      return refused(callbackEvent({ secret, tenant: 'Not_A_Tenant', query: id }));
    case 'another-tenants-secret':
      // This tenant's route with the other's secret.
      return refused(callbackEvent({ secret: other.secret, tenant, query: id }));
    case 'no-package-id':
      return {
        event: callbackEvent({ secret, tenant, query: { user_email: 'someone@example.com' } }),
        expectedStatus: 400,
      };
    case 'signed-id':
      return query(`+${packageId}`);
    case 'exponent-id':
      return query(`${packageId}e0`);
    case 'leading-zero-id':
      return query(`0${packageId}`);
    case 'unicode-digits':
      return query('١٢٣٤٥');
    case 'unsafe-integer':
      return query('9007199254740993');
    case 'path-in-id':
      return query(`${packageId}/../../authenticate`);
    case 'xml-entities':
      return {
        event: callbackEvent({
          secret,
          tenant,
          method: 'POST',
          contentType: 'application/xml',
          body:
            `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY id "${packageId}">]>` +
            '<WorkflowCompletionReport><DocumentID>&id;</DocumentID></WorkflowCompletionReport>',
        }),
        expectedStatus: 400,
      };
  }
};

export interface SoakEventInput {
  /** Undefined: the event names no tenant (the default one). */
  readonly tenant?: string | undefined;
  readonly packageId: number;
  readonly signerEmail: string | undefined;
  readonly eventId: string;
  /** The id as a decimal string rather than a JSON number. */
  readonly idAsString: boolean;
  /** Wrapped the way an EventBridge rule delivers to SQS. */
  readonly envelope: boolean;
}

/** A signing event body the way upstream systems send them, in every accepted variant. */
export const soakEventBody = (input: SoakEventInput): string => {
  const detail = {
    ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
    packageId: input.idAsString ? String(input.packageId) : input.packageId,
    ...(input.signerEmail === undefined ? {} : { signerEmail: input.signerEmail }),
    eventId: input.eventId,
    occurredAt: '2026-11-27T10:00:00Z',
  };
  return input.envelope ? eventBridgeEnvelope(detail) : signingEventBody(detail);
};

/** Bodies the finish function must store as rejected items and never retry. */
export const MALFORMED_EVENT_BODIES: readonly ((packageId: number) => string)[] = [
  () => 'this is not JSON',
  () => '',
  () => '[1, 2, 3]',
  (id) => JSON.stringify({ packageId: `${id}abc` }),
  (id) => JSON.stringify({ packageId: `+${id}` }),
  (id) => JSON.stringify({ packageId: `0${id}` }),
  (id) => JSON.stringify({ packageId: -id }),
  () => JSON.stringify({ packageId: 9_007_199_254_740_992 }),
  (id) => JSON.stringify({ packageId: id, signerEmail: 'not an email' }),
  (id) => JSON.stringify({ detail: { signerEmail: `signer@${id}.example.com` } }),
  (id) => JSON.stringify({ packageId: id, tenant: 'Not_A_Tenant' }),
  (id) => JSON.stringify({ packageId: id, tenant: 42 }),
];
