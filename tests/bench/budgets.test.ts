import { describe, expect, it } from 'vitest';
import { BUDGETS, checkBudget, type FunctionBudget } from '../../bench/budgets.ts';
import { stackSettings } from '../../bench/cost/stack-settings.ts';

const budget: FunctionBudget = {
  zipKb: 100,
  coldImportToFloor: 1.25,
  warmCpuFloorEvents: 2,
  logBytesPerInvocation: 1000,
};
const interval = (lo: number, hi: number) => ({ estimate: (lo + hi) / 2, lo, hi, n: 15 });
const stateOf = (checks: ReturnType<typeof checkBudget>, measure: string) =>
  checks.find((check) => check.measure === measure)?.state;

describe('a function against its budget', () => {
  it('judges the zip and the log bytes exactly', () => {
    const checks = checkBudget(
      {
        zipBytes: 100 * 1024,
        coldImportToFloor: undefined,
        warmCpuFloorEvents: undefined,
        logBytesPerInvocation: 1001,
      },
      budget,
    );
    expect(stateOf(checks, 'zip')).toBe('met');
    expect(stateOf(checks, 'log bytes per invocation')).toBe('missed');
  });

  it('judges cold import and warm CPU on their intervals', () => {
    const checks = checkBudget(
      {
        zipBytes: 101 * 1024,
        coldImportToFloor: interval(1.2, 1.3),
        warmCpuFloorEvents: interval(1.5, 1.9),
        logBytesPerInvocation: 900,
      },
      budget,
    );
    expect(stateOf(checks, 'zip')).toBe('missed');
    expect(stateOf(checks, 'cold import ÷ floor')).toBe('within noise');
    expect(stateOf(checks, 'warm CPU per invocation')).toBe('met');
    expect(
      stateOf(
        checkBudget(
          {
            zipBytes: 0,
            coldImportToFloor: interval(1.3, 1.4),
            warmCpuFloorEvents: interval(2.1, 2.2),
            logBytesPerInvocation: 0,
          },
          budget,
        ),
        'warm CPU per invocation',
      ),
    ).toBe('missed');
  });

  it('says what it did not measure, and a function without a budget', () => {
    const unmeasured = checkBudget(
      {
        zipBytes: 1,
        coldImportToFloor: undefined,
        warmCpuFloorEvents: undefined,
        logBytesPerInvocation: undefined,
      },
      budget,
    );
    expect(unmeasured.map((check) => check.state)).toEqual([
      'met',
      'not measured',
      'not measured',
      'not measured',
    ]);
    const unbudgeted = checkBudget(
      {
        zipBytes: 1,
        coldImportToFloor: interval(1, 1),
        warmCpuFloorEvents: interval(1, 1),
        logBytesPerInvocation: 1,
      },
      undefined,
    );
    expect(new Set(unbudgeted.map((check) => check.state))).toEqual(new Set(['no budget']));
  });

  it('has a budget for every function serverless.yml deploys', () => {
    const serverlessYml = new URL('../../serverless.yml', import.meta.url);
    const deployed = [...stackSettings(serverlessYml).keys()].sort();
    expect(Object.keys(BUDGETS).sort()).toEqual(deployed);
    expect(deployed).toEqual(['archive', 'callback', 'finish', 'publish', 'reconcile']);
  });

  it('keeps every zip under the 250 KB ceiling', () => {
    for (const [name, { zipKb }] of Object.entries(BUDGETS)) {
      expect(zipKb, name).toBeLessThanOrEqual(250);
    }
  });
});
