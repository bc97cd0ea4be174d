import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import type { Item } from '../../lib/store/attributes.ts';
import type { TableKey } from '../../lib/store/keys.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import { describeAwsFailure } from '../../ops/aws-failure.ts';
import { type RepublishDependencies, republishPackage } from '../../ops/republish.ts';
import { describeRepublish, republish } from '../../ops/republish-command.ts';
import { isUserError } from '../../ops/user-error.ts';
import { rejection } from '../support/rejection.ts';
import { fakeTarget, NEVER_OPENED, openerOf, run } from './command-run.ts';

let emulator: EventBridgeEmulator;
let eventBridge: EventBridgeClient;

beforeAll(async () => {
  emulator = await startEventBridgeEmulator();
  eventBridge = new EventBridgeClient({ endpoint: emulator.url, maxAttempts: 1 });
});
afterAll(async () => {
  eventBridge?.destroy();
  await emulator?.close();
});

/** A package of the default tenant. */
const mine = (packageId: number) => ({ tenant: DEFAULT_TENANT, packageId });

/** A package item as the store leaves it, of the default tenant or of `tenant`. */
const packageItem = (packageId: number, status?: string, tenant?: string): Item => ({
  pk: { S: tenant ? `TENANT#${tenant}#PACKAGE#${packageId}` : `PACKAGE#${packageId}` },
  sk: { S: 'PACKAGE' },
  ...(tenant ? { tenant: { S: tenant } } : {}),
  ...(status ? { status: { S: status } } : {}),
  updatedAt: { S: '2026-11-27T10:05:00.000Z' },
  ...(status === 'IN_PROGRESS' ? {} : { completedAt: { S: '2026-11-27T10:04:00.000Z' } }),
});

/** A table of these items, and the keys asked for. */
const tableOf = (...items: Item[]) => {
  const asked: TableKey[] = [];
  return {
    asked,
    get: async (key: TableKey) => {
      asked.push(key);
      return items.find((item) => item.pk?.S === key.pk && item.sk?.S === key.sk);
    },
  };
};

const deps = (
  table: RepublishDependencies['table'],
  more: Partial<RepublishDependencies> = {},
): RepublishDependencies => ({
  table,
  tableName: 'signinghub-finish-test',
  eventBridge,
  busName: 'orders',
  where: 'stage test in eu-west-1',
  ...more,
});

const eventsOf = (packageId: number) =>
  emulator.events.filter(
    (event) => (event.detail as { packageId?: number }).packageId === packageId,
  );

describe('republishPackage', () => {
  it("sends a final package's event again to the bus, as publish builds it, and says what it sent", async () => {
    const table = tableOf(packageItem(501, 'DECLINED'));
    const result = await republishPackage(mine(501), deps(table));
    expect(table.asked).toEqual([{ pk: 'PACKAGE#501', sk: 'PACKAGE' }]);
    const [sent] = eventsOf(501);
    expect(eventsOf(501)).toHaveLength(1);
    expect(sent).toMatchObject({
      busName: 'orders',
      source: 'signinghub.finish',
      detailType: 'SigningPackageDeclined',
      detail: { packageId: 501, status: 'DECLINED', at: '2026-11-27T10:04:00.000Z' },
    });
    expect(result).toEqual({
      packageId: 501,
      tenant: DEFAULT_TENANT,
      status: 'DECLINED',
      busName: 'orders',
      source: 'signinghub.finish',
      detailType: 'SigningPackageDeclined',
      detail: { packageId: 501, status: 'DECLINED', at: '2026-11-27T10:04:00.000Z' },
      eventId: sent?.id,
    });
  });

  it('sends it again each time it is asked, through the same client', async () => {
    const table = tableOf(packageItem(502, 'COMPLETED'));
    const middleware = eventBridge.middlewareStack.identify();
    const first = await republishPackage(mine(502), deps(table));
    const second = await republishPackage(mine(502), deps(table));
    expect(eventsOf(502).map((event) => event.id)).toEqual([first.eventId, second.eventId]);
    expect(first.eventId).not.toBe(second.eventId);
    // It leaves the client as it was given.
    expect(eventBridge.middlewareStack.identify()).toEqual(middleware);
  });

  it.each([
    [packageItem(503, 'IN_PROGRESS'), 'IN_PROGRESS'],
    [packageItem(503), 'IN_PROGRESS'],
  ])('refuses a package that is not final, sending nothing (%#)', async (item, status) => {
    const error = await rejection(republishPackage(mine(503), deps(tableOf(item))));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      `package 503 is ${status}, not final: republish sends only a final package's completion ` +
        'event (npm run reconcile -- 503 asks SigningHub whether it is final now)',
    );
    expect(eventsOf(503)).toEqual([]);
  });

  it('refuses a package the table does not have, naming the table and where', async () => {
    const error = await rejection(republishPackage(mine(504), deps(tableOf())));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'package 504 is not in the table signinghub-finish-test (stage test in eu-west-1): check ' +
        'the package id, and --stage',
    );
  });

  it('says a publish function without a bus sends no events', async () => {
    const table = tableOf(packageItem(505, 'COMPLETED'));
    const error = await rejection(republishPackage(mine(505), deps(table, { busName: undefined })));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'the publish function of stage test in eu-west-1 has no EVENT_BUS_NAME, so it sends no ' +
        'completion events: set the eventBusName parameter and deploy to send them',
    );
    expect(eventsOf(505)).toEqual([]);
  });

  it('fails when nothing was sent for an item that is not a package of this table', async () => {
    const { pk: _, ...withoutKey } = packageItem(506, 'COMPLETED');
    const table = { get: async () => withoutKey };
    const error = await rejection(republishPackage(mine(506), deps(table)));
    expect(isUserError(error)).toBe(false);
    expect(error.message).toBe('no completion event was sent for package 506 (status COMPLETED)');
  });

  it('fails when EventBridge refuses the event, and can send it later', async () => {
    const table = tableOf(packageItem(507, 'COMPLETED'));
    emulator.failNext(1);
    const error = await rejection(republishPackage(mine(507), deps(table)));
    expect(error.message).toMatch(/^EventBridge refused the event: /);
    expect(eventsOf(507)).toEqual([]);
    expect((await republishPackage(mine(507), deps(table))).detailType).toBe(
      'SigningPackageCompleted',
    );
  });

  it('names events:PutEvents when EventBridge cannot be reached', async () => {
    const closed = new EventBridgeClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    try {
      const table = tableOf(packageItem(508, 'COMPLETED'));
      const error = await rejection(
        republishPackage(mine(508), deps(table, { eventBridge: closed })),
      );
      expect(describeAwsFailure(error, 'eu-west-1')).toMatch(
        /^could not reach AWS in eu-west-1 \(ECONNREFUSED on events:PutEvents\)/,
      );
    } finally {
      closed.destroy();
    }
  });
});

describe("republish, a tenant's package", () => {
  it("reads the tenant's own item and sends its event with the tenant in the detail", async () => {
    const table = tableOf(packageItem(511, 'COMPLETED'), packageItem(511, 'DECLINED', 'acme'));
    const result = await republishPackage({ tenant: 'acme', packageId: 511 }, deps(table));
    expect(table.asked).toEqual([{ pk: 'TENANT#acme#PACKAGE#511', sk: 'PACKAGE' }]);
    const [sent] = eventsOf(511);
    expect(eventsOf(511)).toHaveLength(1);
    expect(sent).toMatchObject({
      detailType: 'SigningPackageDeclined',
      detail: { packageId: 511, status: 'DECLINED', tenant: 'acme' },
    });
    expect(result).toMatchObject({ packageId: 511, tenant: 'acme', status: 'DECLINED' });
    // The default tenant's package of the same id sends no tenant.
    await republishPackage(mine(511), deps(table));
    expect(eventsOf(511)[1]?.detail).toEqual({
      packageId: 511,
      status: 'COMPLETED',
      at: '2026-11-27T10:04:00.000Z',
    });
  });

  it('names the tenant in what it refuses, and how to name it again', async () => {
    const acme = { tenant: 'acme', packageId: 512 };
    const missing = await rejection(
      republishPackage(acme, deps(tableOf(packageItem(512, 'COMPLETED')))),
    );
    expect(missing.message).toBe(
      'package 512 of tenant acme is not in the table signinghub-finish-test (stage test in ' +
        'eu-west-1): check the package id, --tenant and --stage',
    );
    const open = await rejection(
      republishPackage(acme, deps(tableOf(packageItem(512, 'IN_PROGRESS', 'acme')))),
    );
    expect(open.message).toBe(
      "package 512 of tenant acme is IN_PROGRESS, not final: republish sends only a final package's " +
        'completion event (npm run reconcile -- 512 --tenant acme asks SigningHub whether it is final now)',
    );
    expect(eventsOf(512)).toEqual([]);
  });

  it('takes --tenant on the command line, and says whose package it sent', async () => {
    const table = tableOf(packageItem(611, 'COMPLETED', 'acme'));
    const target = fakeTarget({
      table,
      completionBus: async () => ({ eventBridge, busName: 'orders' }),
    });
    const { opener } = openerOf(target);
    const text = await run((streams) => republish(['611', '--tenant', 'acme'], opener, streams));
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(
      /^package 611 of tenant acme \(COMPLETED\): SigningPackageCompleted sent again to bus orders as event \S+\n$/,
    );
    const json = await run((streams) =>
      republish(['611', '--tenant', 'acme', '--json'], opener, streams),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      packageId: 611,
      tenant: 'acme',
      detail: { packageId: 611, tenant: 'acme' },
    });
    expect(table.asked).toEqual([
      { pk: 'TENANT#acme#PACKAGE#611', sk: 'PACKAGE' },
      { pk: 'TENANT#acme#PACKAGE#611', sk: 'PACKAGE' },
    ]);
  });
});

describe('npm run republish', () => {
  const target = (busName: string | undefined) =>
    fakeTarget({
      table: tableOf(packageItem(601, 'COMPLETED')),
      completionBus: async () => ({ eventBridge, busName }),
    });

  it('says what it sent, or answers it in JSON', async () => {
    const text = await run((streams) =>
      republish(['601'], openerOf(target('orders')).opener, streams),
    );
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^package 601 \(COMPLETED\): SigningPackageCompleted sent again to bus orders as event \S+\n$/,
    );
    const json = await run((streams) =>
      republish(['601', '--json'], openerOf(target('orders')).opener, streams),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      packageId: 601,
      busName: 'orders',
      detail: { packageId: 601, status: 'COMPLETED' },
    });
  });

  it('fails in one line where the target sends no events', async () => {
    const { code, stderr } = await run((streams) =>
      republish(['601'], openerOf(target(undefined)).opener, streams),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^the publish function of stage test in eu-west-1 has no EVENT_BUS_NAME/,
    );
  });

  it('leaves out an event id EventBridge did not give', () => {
    expect(
      describeRepublish({
        packageId: 1,
        tenant: DEFAULT_TENANT,
        status: 'DELETED',
        busName: 'default',
        source: 'signinghub.finish',
        detailType: 'SigningPackageDeleted',
        detail: {},
        eventId: undefined,
      }),
    ).toBe('package 1 (DELETED): SigningPackageDeleted sent again to bus default');
  });

  it.each([
    [[], 'a package id is missing'],
    [['1', '2', '3'], 'one package id only, not "2 3"'],
    [['0'], '"0" is not a package id (a positive integer)'],
  ])('refuses %j in one line, exit 2', async (args, line) => {
    const { code, stderr } = await run((streams) => republish(args, NEVER_OPENED, streams));
    expect(code).toBe(2);
    expect(stderr).toBe(
      `${line}; usage: npm run republish -- <packageId> [--tenant <id>] [--stage <stage> [--region <region>]] ` +
        '[--json] (--help for more)\n',
    );
  });
});
