import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Log, LogFields } from '../../lib/logger.ts';
import { type MetricSink, metricsTo, metricsWarningsTo } from '../../lib/metrics.ts';

const sink = () => {
  const added: [string, string, number][] = [];
  const writer: MetricSink = { addMetric: (name, unit, value) => added.push([name, unit, value]) };
  return { added, writer };
};

describe('metricsTo', () => {
  it('adds counts (1 unless said) and milliseconds with their units', () => {
    const { added, writer } = sink();
    const metrics = metricsTo(writer);
    metrics.count('FinishSucceeded');
    metrics.count('FinishRequests', 3);
    metrics.milliseconds('SigningEventToFinish', 1_500);
    expect(added).toEqual([
      ['FinishSucceeded', 'Count', 1],
      ['FinishRequests', 'Count', 3],
      ['SigningEventToFinish', 'Milliseconds', 1_500],
    ]);
  });

  it("takes only the catalogue's names, each in its own unit (checked by tsc)", () => {
    const { count, milliseconds } = metricsTo(sink().writer);
    expectTypeOf(count).toBeCallableWith('CallbackUnauthorised');
    expectTypeOf(milliseconds).toBeCallableWith('SigningEventToFinish', 5);
    // @ts-expect-error: a name that is not in lib/metrics-catalogue.ts
    expectTypeOf(count).toBeCallableWith('CallbackUnauthorized');
    // @ts-expect-error: a metric in Milliseconds is no count
    expectTypeOf(count).toBeCallableWith('SigningEventToFinish');
    // @ts-expect-error: nor is a count a duration
    expectTypeOf(milliseconds).toBeCallableWith('FinishRequests', 5);
  });

  it('drops a value that is not a finite number instead of throwing', () => {
    const { added, writer } = sink();
    const metrics = metricsTo(writer);
    metrics.count('FinishRequests', Number.NaN);
    metrics.milliseconds('SigningEventToFinish', Number.POSITIVE_INFINITY);
    expect(added).toEqual([]);
  });
});

describe('metricsWarningsTo', () => {
  const recorder = () => {
    const lines: [string, string][] = [];
    const write = (level: string) => (message: string, _fields?: LogFields) => {
      lines.push([level, message]);
    };
    const log: Log = {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
    };
    return { lines, log };
  };

  it('logs "nothing to publish" at debug and every other complaint at its level', () => {
    const { lines, log } = recorder();
    const logger = metricsWarningsTo(log);
    logger.warn('No application metrics to publish. The cold-start metric may be published.');
    logger.warn('Namespace should be defined, default used');
    logger.error('boom', 42);
    expect(lines).toEqual([
      ['debug', 'No application metrics to publish. The cold-start metric may be published.'],
      ['warn', 'Namespace should be defined, default used'],
      ['error', 'boom 42'],
    ]);
  });
});
