import { describe, expect, it } from 'vitest';
import { AbsentNames, LookupBudget } from '../../../lib/tenants/lookup-guard.ts';

/** A clock the test moves by hand. */
const clock = (start = 0) => {
  let now = start;
  return {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
  };
};

describe('AbsentNames: names found missing, kept for a while', () => {
  it('keeps a name until its keeping time is up, not at that instant', () => {
    const time = clock(1_000);
    const absent = new AbsentNames(10, 500, time.now);
    absent.add('ghost');
    time.set(1_499);
    expect(absent.has('ghost')).toBe(true);
    time.set(1_500);
    expect(absent.has('ghost')).toBe(false);
    expect(absent.has('never-added')).toBe(false);
  });

  it('lets a name past its time go, so it takes no room', () => {
    const time = clock();
    const absent = new AbsentNames(10, 500, time.now);
    absent.add('ghost');
    absent.add('phantom');
    expect(absent.size).toBe(2);
    time.set(600);
    expect(absent.has('ghost')).toBe(false);
    expect(absent.size).toBe(1);
  });

  it.each([
    ['no room', 0, 500],
    ['no keeping time', 10, 0],
    ['a negative keeping time', 10, -1],
  ])('keeps nothing with %s', (_, capacity, keepMs) => {
    const absent = new AbsentNames(capacity, keepMs, clock().now);
    absent.add('ghost');
    expect(absent.size).toBe(0);
    expect(absent.has('ghost')).toBe(false);
  });

  it('forgets the oldest first when full, a name added again counting as new', () => {
    const time = clock();
    const absent = new AbsentNames(3, 10_000, time.now);
    for (const name of ['a', 'b', 'a', 'c']) {
      absent.add(name);
      time.set(time.now() + 1);
    }
    expect(absent.size).toBe(3);
    absent.add('d');
    expect(['a', 'b', 'c', 'd'].filter((name) => absent.has(name))).toEqual(['a', 'c', 'd']);
  });
});

describe('LookupBudget: so many lookups in each minute of the clock', () => {
  it('refuses past the bound until the clock’s next minute, counting the refusals', () => {
    const time = clock(120_000);
    const budget = new LookupBudget(2, time.now);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
    expect(budget.refused).toBe(1);
    time.set(179_999);
    expect(budget.take()).toBe(false);
    expect(budget.refused).toBe(2);
    time.set(180_000);
    expect(budget.take()).toBe(true);
    expect(budget.refused).toBe(0);
  });
});
