import { DEFAULT_TENANT } from '../tenants/tenant-id.ts';
import { keyOf, n, s } from './attributes.ts';
import type { DynamoDbTable } from './dynamodb-table.ts';
import type { RejectedInput } from './items.ts';
import { rejectedKey } from './keys.ts';
import type { RejectedStore } from './ports.ts';
import { truncateUtf8 } from './truncate-utf8.ts';

const MAX_RAW_BYTES = 64 * 1024;

/** Input that could not be used, kept with its reason and at most 64 KiB of what came. */
export class DynamoDbRejectedStore implements RejectedStore {
  readonly #table: DynamoDbTable;

  constructor(table: DynamoDbTable) {
    this.#table = table;
  }

  async putRejected(input: RejectedInput): Promise<void> {
    const raw = truncateUtf8(input.raw, MAX_RAW_BYTES);
    // Conditional: a redelivered message finds its item there and leaves it as it is.
    await this.#table.put({
      Item: {
        ...keyOf(rejectedKey(input.id)),
        source: s(input.source),
        reason: s(input.reason),
        raw: s(raw.text),
        rawBytes: n(raw.originalBytes),
        ...(raw.truncated ? { rawTruncated: { BOOL: true } } : {}),
        receivedAt: s(input.receivedAt),
        // A tenant's rejected input says whose it is; the default tenant's carry none.
        ...(input.tenant === undefined || input.tenant === DEFAULT_TENANT
          ? {}
          : { tenant: s(input.tenant) }),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }
}
