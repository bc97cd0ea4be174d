import { describe, expect, it } from 'vitest';
import { publishCompletionEvents } from '../../../lib/events/completion-events.ts';
import { silentLog } from '../../../lib/logger.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { recordLog } from '../aws/secrets-fixture.ts';
import { change, eventBridge, packageImage } from './stream-fixture.ts';

describe('publishCompletionEvents', () => {
  it('sends one event for a package that became final, dated when it completed', async () => {
    const bus = eventBridge();
    const metrics = recordMetrics();
    const result = await publishCompletionEvents(
      [
        change(
          '1',
          packageImage(1, 'COMPLETED', { completedAt: { S: '2026-11-27T10:00:04.000Z' } }),
        ),
        change('2', packageImage(2, 'DECLINED'), packageImage(2, 'IN_PROGRESS')),
        change('3', packageImage(3, 'DELETED')),
      ],
      { eventBridge: bus.client, busName: 'signing', metrics },
      silentLog,
    );
    expect(result).toEqual({ failedAt: undefined });
    expect(bus.entries).toEqual([
      {
        EventBusName: 'signing',
        Source: 'signinghub.finish',
        DetailType: 'SigningPackageCompleted',
        Detail: { packageId: 1, status: 'COMPLETED', at: '2026-11-27T10:00:04.000Z' },
      },
      expect.objectContaining({
        DetailType: 'SigningPackageDeclined',
        Detail: { packageId: 2, status: 'DECLINED', at: '2026-11-27T10:00:05.000Z' },
      }),
      expect.objectContaining({ DetailType: 'SigningPackageDeleted' }),
    ]);
    expect(metrics.total('CompletionEventPublished')).toBe(3);
    expect(metrics.total('CompletionEventRefused')).toBe(0);
  });

  it('sends nothing for a change that did not make a package final', async () => {
    const bus = eventBridge();
    await publishCompletionEvents(
      [
        change('1', packageImage(1, 'COMPLETED'), undefined, 'REMOVE'),
        change('2', undefined, packageImage(2, 'IN_PROGRESS'), 'MODIFY'),
        change('3', { ...packageImage(3, 'COMPLETED'), sk: { S: 'FINISH#a@x.com' } }),
        change('4', packageImage(4, 'IN_PROGRESS')),
        change('5', packageImage(5, 'COMPLETED'), packageImage(5, 'COMPLETED')),
        change('6', packageImage(6, 'DELETED'), packageImage(6, 'DECLINED')),
        change('7', { ...packageImage(7, 'COMPLETED'), pk: { S: 'REJECTED#x' } }),
        { eventName: 'INSERT' },
      ],
      { eventBridge: bus.client, busName: 'signing', metrics: recordMetrics() },
      silentLog,
    );
    expect(bus.entries).toEqual([]);
  });

  it('sends nothing without a bus', async () => {
    const bus = eventBridge();
    const result = await publishCompletionEvents(
      [change('1', packageImage(1, 'COMPLETED'))],
      { eventBridge: bus.client, busName: undefined, metrics: recordMetrics() },
      silentLog,
    );
    expect(result).toEqual({ failedAt: undefined });
    expect(bus.entries).toEqual([]);
  });

  it('stops at the first event refused and says where, so the stream retries from there', async () => {
    const bus = eventBridge([{ FailedEntryCount: 0 }, { FailedEntryCount: 1 }]);
    const metrics = recordMetrics();
    const errors: unknown[] = [];
    const log = {
      ...silentLog,
      error: (_: string, fields?: Record<string, unknown>) => errors.push(fields?.error),
    };
    const result = await publishCompletionEvents(
      [1, 2, 3].map((id) => change(String(id * 10), packageImage(id, 'COMPLETED'))),
      { eventBridge: bus.client, busName: 'signing', metrics },
      log,
    );
    expect(result).toEqual({ failedAt: '20' });
    expect(bus.entries).toHaveLength(2);
    expect(metrics.total('CompletionEventPublished')).toBe(1);
    expect(metrics.total('CompletionEventRefused')).toBe(1);
    expect(String(errors[0])).toContain('EventBridge refused the event: Throttled slow down');
  });

  it('fails the whole batch when a failed record has no sequence number to resume at', async () => {
    const bus = eventBridge([new Error('network down')]);
    await expect(
      publishCompletionEvents(
        [change(undefined, packageImage(1, 'COMPLETED'))],
        { eventBridge: bus.client, busName: 'signing', metrics: recordMetrics() },
        silentLog,
      ),
    ).rejects.toThrow('network down');
  });
});

describe('publishCompletionEvents for tenants', () => {
  it('adds the tenant to the detail for a tenant other than default, and only then', async () => {
    const bus = eventBridge();
    await publishCompletionEvents(
      [
        change('1', packageImage(5, 'COMPLETED', { pk: { S: 'TENANT#acme#PACKAGE#5' } })),
        change('2', packageImage(5, 'DECLINED')),
      ],
      { eventBridge: bus.client, busName: 'bus', metrics: recordMetrics() },
      silentLog,
    );
    expect(bus.entries.map((entry) => entry.Detail)).toEqual([
      { packageId: 5, status: 'COMPLETED', at: '2026-11-27T10:00:05.000Z', tenant: 'acme' },
      { packageId: 5, status: 'DECLINED', at: '2026-11-27T10:00:05.000Z' },
    ]);
  });

  it('sends nothing for the registry of tenants or a key that is no package', async () => {
    const bus = eventBridge();
    await publishCompletionEvents(
      [
        change('1', packageImage(5, 'COMPLETED', { pk: { S: 'TENANTS' } })),
        change('2', packageImage(5, 'COMPLETED', { pk: { S: 'TENANT#default#PACKAGE#5' } })),
      ],
      { eventBridge: bus.client, busName: 'bus', metrics: recordMetrics() },
      silentLog,
    );
    expect(bus.entries).toEqual([]);
  });
});

describe('publishCompletionEvents’ log lines', () => {
  const acme = packageImage(5, 'COMPLETED', { pk: { S: 'TENANT#acme#PACKAGE#5' } });

  it('logs each event published by package, tenant (when not default) and detail-type', async () => {
    const bus = eventBridge();
    const log = recordLog();
    await publishCompletionEvents(
      [change('1', acme), change('2', packageImage(6, 'DELETED'))],
      { eventBridge: bus.client, busName: 'bus', metrics: recordMetrics() },
      log,
    );
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'event published',
        fields: { packageId: 5, tenant: 'acme', detailType: 'SigningPackageCompleted' },
      },
      {
        level: 'info',
        message: 'event published',
        fields: { packageId: 6, detailType: 'SigningPackageDeleted' },
      },
    ]);
  });

  it('logs an event it had no bus for at debug level, by package and tenant', async () => {
    const log = recordLog();
    await publishCompletionEvents(
      [change('1', acme)],
      { eventBridge: eventBridge().client, busName: undefined, metrics: recordMetrics() },
      log,
    );
    expect(log.lines).toEqual([
      {
        level: 'debug',
        message: 'no EVENT_BUS_NAME: event not sent',
        fields: { packageId: 5, tenant: 'acme', detailType: 'SigningPackageCompleted' },
      },
    ]);
  });

  it('logs an event refused as an error with the package and the error', async () => {
    const log = recordLog();
    const failure = new Error('network down');
    await publishCompletionEvents(
      [change('1', acme)],
      { eventBridge: eventBridge([failure]).client, busName: 'bus', metrics: recordMetrics() },
      log,
    );
    expect(log.lines).toEqual([
      {
        level: 'error',
        message: 'event not published; the stream will retry',
        fields: {
          packageId: 5,
          tenant: 'acme',
          detailType: 'SigningPackageCompleted',
          error: failure,
        },
      },
    ]);
  });

  it('says a refusal EventBridge gave no code or message for is a refusal, with no filler', async () => {
    const errors: unknown[] = [];
    const send = async () => ({ FailedEntryCount: 1, Entries: [{}] });
    await publishCompletionEvents(
      [change('1', acme)],
      {
        eventBridge: { send } as unknown as Parameters<
          typeof publishCompletionEvents
        >[1]['eventBridge'],
        busName: 'bus',
        metrics: recordMetrics(),
      },
      { ...silentLog, error: (_message, fields) => errors.push(fields?.error) },
    );
    expect(errors).toEqual([new Error('EventBridge refused the event:  ')]);
  });
});
