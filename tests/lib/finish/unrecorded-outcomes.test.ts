import { describe, expect, it } from 'vitest';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
import type { FinishKey } from '../../../lib/store/items.ts';

const outcome = (key: FinishKey, tenant?: string) => ({
  ...(tenant ? { tenant } : {}),
  key,
  leaseId: `lease of ${key.signer ?? 'the account'}`,
  settlement: { status: 'SUCCEEDED' as const, now: new Date(0), requestsSent: 1 },
});

describe('UnrecordedOutcomes', () => {
  it('keeps one outcome per tenant, package and signer, the account’s apart from any signer’s', () => {
    const kept = new UnrecordedOutcomes();
    const alice = { packageId: 1, signer: 'alice@example.com' };
    const bob = { packageId: 1, signer: 'bob@example.com' };
    const account = { packageId: 1, signer: undefined };
    for (const key of [alice, bob, account]) kept.keep(outcome(key));
    kept.keep(outcome(alice, 'acme'));
    expect(kept.all()).toHaveLength(4);
    expect(kept.get(bob)?.leaseId).toBe('lease of bob@example.com');
    expect(kept.get(account)?.leaseId).toBe('lease of the account');
    expect(kept.get(alice, 'acme')?.tenant).toBe('acme');
    expect(kept.get(alice)?.tenant).toBeUndefined();

    kept.forget(alice);
    expect(kept.get(alice)).toBeUndefined();
    expect(kept.all()).toHaveLength(3);
  });
});
