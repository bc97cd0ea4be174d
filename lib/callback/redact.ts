import { isTenantId } from '../tenants/tenant-id.ts';

const SENSITIVE_KEY = /token|secret|password|passwd|key|auth|signature/i;

const DEFAULT_ROUTE = /^\/signinghub\/callback\/[^/?#]*$/;
const TENANT_ROUTE = /^\/signinghub\/tenants\/([^/?#]*)\/callback\/[^/?#]*$/;

/**
 * The callback path without its secret, for logs: the secret of either route redacted, a tenant
 * segment kept only when it is a well-formed id, and a path of any other shape, which could hold
 * a secret anywhere, not logged at all.
 */
export const redactedCallbackPath = (path: string): string => {
  if (DEFAULT_ROUTE.test(path)) return '/signinghub/callback/<redacted>';
  const tenant = TENANT_ROUTE.exec(path)?.[1];
  if (tenant === undefined) return '<unexpected path, not logged>';
  const shown = isTenantId(tenant) ? tenant : '<malformed>';
  return `/signinghub/tenants/${shown}/callback/<redacted>`;
};

/** The query as a string with sensitive values (SigningHub may send a `token`) replaced. */
export const redactedQuery = (query: Readonly<Record<string, string | undefined>>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, SENSITIVE_KEY.test(key) ? '<redacted>' : value);
  }
  return params.toString();
};
