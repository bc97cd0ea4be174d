import { describe, expect, it } from 'vitest';
import { isTenantId, tenantOf } from '../../../lib/tenants/tenant-id.ts';

describe('tenant ids', () => {
  it.each(['a', '7', 'ab', 'acme', 'acme-2', 'a-b-c', `a${'-'.repeat(38)}z`, 'default'])(
    'takes %j for a tenant id',
    (id) => {
      expect(isTenantId(id)).toBe(true);
      expect(tenantOf(id)).toBe(id);
    },
  );

  it.each(['', '-acme', 'acme-', 'Acme', 'acme/x', 'x acme', 'acme x', `a${'b'.repeat(39)}c`, 17])(
    'refuses %j',
    (value) => {
      expect(isTenantId(value)).toBe(false);
      expect(tenantOf(value)).toBeUndefined();
    },
  );

  it('reads an absent or null tenant as the default one', () => {
    expect(tenantOf(undefined)).toBe('default');
    expect(tenantOf(null)).toBe('default');
  });
});
