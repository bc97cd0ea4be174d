import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbTable } from '../../../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../../../lib/store/dynamodb-tenant-registry.ts';
import type { TenantDirectory } from '../../../lib/tenants/tenant-directory.ts';
import { callbackTenants } from '../../../lib/tenants/tenant-sides.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { recordLog, withMotoSecretsClient } from '../aws/secrets-fixture.ts';
import { directoryOver, PREFIX } from './directory-fixture.ts';

const moto = withMotoSecretsClient();

/** A table no test here reaches: a tenant refused never gets a store. */
const table = new DynamoDbTable(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9' }), 'unused');

const callbackSide = (directory: TenantDirectory) => {
  const metrics = recordMetrics();
  const log = recordLog();
  const tenants = callbackTenants({
    table,
    registry: new DynamoDbTenantRegistry(table),
    directory,
    now: () => new Date(),
    metrics,
    log,
  });
  return { tenants, metrics, log };
};

describe('callbackTenants: a tenant that may not be served', () => {
  it('is none, logged and counted when its settings are invalid', async () => {
    await moto().secrets.create(`${PREFIX}broken`, 'not json');
    const { tenants, metrics, log } = callbackSide(directoryOver(moto().client).directory);
    expect(await tenants.open('broken')).toBeUndefined();
    expect(metrics.total('TenantUnavailable')).toBe(1);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: 'callback for a tenant without usable settings refused',
        fields: { tenant: 'broken', reason: 'the settings of tenant "broken" is not JSON' },
      },
    ]);
  });

  it('is none, logged and counted when its settings cannot be read', async () => {
    const { directory } = directoryOver(() => {
      throw new Error('no client');
    });
    const { tenants, metrics, log } = callbackSide(directory);
    expect(await tenants.open('down')).toBeUndefined();
    expect(metrics.total('TenantUnavailable')).toBe(1);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: 'callback for a tenant without usable settings refused',
        fields: {
          tenant: 'down',
          reason: `could not read the secret "${PREFIX}down" from Secrets Manager: Error`,
        },
      },
    ]);
  });

  it('is none, quietly, when it is unknown or throttled: names from the internet', async () => {
    const { directory } = directoryOver(moto().client, { unknownLookupsPerMinute: 1 });
    const { tenants, metrics, log } = callbackSide(directory);
    expect(await tenants.open('ghost')).toBeUndefined();
    expect(await tenants.open('phantom')).toBeUndefined();
    expect(await tenants.open('Not-A-Tenant')).toBeUndefined();
    expect(metrics.total('TenantUnavailable')).toBe(0);
    expect(log.lines).toEqual([]);
  });
});
