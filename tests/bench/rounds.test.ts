import { describe, expect, it } from 'vitest';
import { parseCpuList, planCpus } from '../../bench/affinity.ts';
import { balancedOrders, PackageIds, slicePlan } from '../../bench/warm/rounds.ts';
import { hasLevelledOff, warmUpDone } from '../../bench/warm/steady-state.ts';

describe('balanced round orders', () => {
  const follows = (orders: string[][]) => {
    const pairs = new Map<string, number>();
    for (const order of orders) {
      for (let i = 1; i < order.length; i += 1) {
        const pair = `${order[i - 1]}>${order[i]}`;
        pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
      }
    }
    return pairs;
  };

  it.each([4, 7])('puts each of %i variants first, and after each other, equally often', (n) => {
    const items = Array.from({ length: n }, (_, index) => `v${index}`);
    const orders = balancedOrders(items);
    expect(orders).toHaveLength(n % 2 === 0 ? n : 2 * n);
    for (const order of orders) expect([...order].sort()).toEqual([...items].sort());
    const firsts = new Set(orders.map((order) => order[0]));
    expect(firsts.size).toBe(n);
    const counts = new Set(follows(orders).values());
    expect(follows(orders).size).toBe(n * (n - 1));
    expect(counts.size).toBe(1);
  });
});

describe('package ids', () => {
  it('never overlap, and remember whose they are', () => {
    const ids = new PackageIds();
    const ours = ids.take('ours', 50);
    const floor = ids.take('floor', 10);
    const again = ids.take('ours', 5);
    expect([ours, floor, again]).toEqual([1, 51, 61]);
    expect(ids.ownerOf(50)).toBe('ours');
    expect(ids.ownerOf(51)).toBe('floor');
    expect(ids.ownerOf(60)).toBe('floor');
    expect(ids.ownerOf(65)).toBe('ours');
    expect(ids.ownerOf(66)).toBeUndefined();
    expect(ids.ownerOf(0)).toBeUndefined();
  });
});

describe('the warm-up', () => {
  const rule = { window: 3, tolerance: 0.03, minRounds: 6, maxRounds: 20 };

  it('goes on while the CPU per event still falls', () => {
    expect(hasLevelledOff([10, 9, 8, 7, 6, 5], rule)).toBe(false);
    expect(hasLevelledOff([10, 9, 8, 5, 5, 5, 5, 5, 5], rule)).toBe(true);
  });

  it('stops at a rise, which is the machine and not the code', () => {
    expect(hasLevelledOff([5, 5, 5, 6, 6, 6], rule)).toBe(true);
  });

  it('needs two windows of rounds to judge', () => {
    expect(hasLevelledOff([5, 5, 5, 5, 5], rule)).toBe(false);
  });

  it('stops when every variant levelled off, or at its limit', () => {
    const flat = [5, 5, 5, 5, 5, 5];
    const falling = [10, 9, 8, 7, 6, 5];
    expect(warmUpDone([flat, flat], 6, rule)).toEqual({ done: true, steady: true });
    expect(warmUpDone([flat, falling], 6, rule)).toEqual({ done: false, steady: false });
    expect(warmUpDone([flat, flat], 5, rule)).toEqual({ done: false, steady: false });
    expect(warmUpDone([flat, falling], 20, rule)).toEqual({ done: true, steady: false });
  });
});

describe('CPU placement', () => {
  it('reads the kernel’s CPU lists', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-2,5,8-9\n')).toEqual([0, 1, 2, 5, 8, 9]);
    expect(parseCpuList('')).toEqual([]);
  });

  it('puts the handlers on one half and the services on the other', () => {
    expect(planCpus([0, 1])).toEqual({ handlers: [0], services: [1] });
    expect(planCpus([0, 1, 2, 3])).toEqual({ handlers: [0, 1], services: [2, 3] });
    expect(planCpus([0])).toBeUndefined();
    expect(planCpus(undefined)).toBeUndefined();
  });
});

describe('slices of a round', () => {
  it('cuts a round into whole invocations, spread as evenly as they allow', () => {
    expect(slicePlan(50, 10, 5)).toEqual([10, 10, 10, 10, 10]);
    expect(slicePlan(20, 10, 5)).toEqual([10, 0, 10, 0, 0]);
    expect(slicePlan(1, 1, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(slicePlan(25, 10, 2)).toEqual([20, 5]);
  });
});
