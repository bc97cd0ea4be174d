import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { keyOf, s, str } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import { TENANTS_PARTITION, tenantKey, tenantOfKey } from './keys.ts';
import type { TenantRegistry } from './ports.ts';

/**
 * The tenants other than `default` that have packages in the table: one item each, written the
 * first time an instance records a package of that tenant (a put that changes nothing when it is
 * there already), so each instance writes it at most once per tenant.
 */
export class DynamoDbTenantRegistry implements TenantRegistry {
  readonly #table: DynamoDbTable;
  readonly #known = new Set<string>();

  constructor(table: DynamoDbTable) {
    this.#table = table;
  }

  async register(tenant: string): Promise<void> {
    if (this.#known.has(tenant)) return;
    await this.#table.put({ Item: { ...keyOf(tenantKey(tenant)), tenant: s(tenant) } });
    this.#known.add(tenant);
  }

  async tenants(): Promise<string[]> {
    const found: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#table.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(TENANTS_PARTITION) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.Items ?? []) {
        const tenant = tenantOfKey(str(item, 'sk'));
        if (tenant !== undefined) found.push(tenant);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }
}
