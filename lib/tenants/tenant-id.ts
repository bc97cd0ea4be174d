/**
 * A tenant is one SigningHub enterprise. Its id: 1 to 40 characters of a-z, 0-9 and -, starting
 * and ending with a letter or digit. `default` names the deployment's own enterprise, configured
 * by the environment and the credentials secret.
 */
export const DEFAULT_TENANT = 'default';

const TENANT_ID = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** True for a well-formed tenant id (`default` included). */
export const isTenantId = (value: unknown): value is string =>
  typeof value === 'string' && TENANT_ID.test(value);

/** The tenant a value names: absent, null or `default` is the default tenant; undefined when malformed. */
export const tenantOf = (value: unknown): string | undefined =>
  value === undefined || value === null ? DEFAULT_TENANT : isTenantId(value) ? value : undefined;
