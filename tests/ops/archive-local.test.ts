import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../harness/eventbridge-emulator.ts';
import {
  ARCHIVE_REQUESTED_DETAIL_TYPE,
  OPERATOR_SOURCE,
  parseArchiveMessage,
} from '../../lib/archive/archive-request.ts';
import { DynamoDbArchiveStore } from '../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import { NO_LOCAL_ARCHIVE_QUEUES } from '../../ops/target.ts';
import { type LocalStack, startLocalStack } from './local-stack.ts';

const COMMAND_TEST_MS = 120_000;
const NOW = new Date('2026-11-28T07:00:00Z');

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);

afterAll(() => stack?.stop());

/** A package of a tenant made COMPLETED as reconcile makes it, and ARCHIVED if asked. */
const completed = async (packageId: number, tenant = 'default', archived = false) => {
  const { table } = stack.table;
  const packages = new DynamoDbPackageStore(table, tenant, new DynamoDbTenantRegistry(table));
  await packages.markInProgress(packageId, NOW);
  await packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    NOW,
  );
  if (archived) {
    await new DynamoDbArchiveStore(table, tenant).markArchived(packageId, 0, 'bucket', NOW);
  }
};

/** The operator's archive requests on the emulator, as the ArchiveQueue messages they stand for. */
const requestsSeen = (): { packageId: number; tenant: string; force: boolean }[] =>
  stack.emulator.events
    .filter((event: ReceivedEvent) => event.source === OPERATOR_SOURCE)
    .map((event) => {
      expect(event.busName).toBe('local');
      expect(event.detailType).toBe(ARCHIVE_REQUESTED_DETAIL_TYPE);
      const parsed = parseArchiveMessage(
        JSON.stringify({
          source: event.source,
          'detail-type': event.detailType,
          detail: event.detail,
        }),
      );
      if (!parsed.ok) throw new Error(parsed.reason);
      return { ...parsed.request };
    });

describe('npm run archive on the local stack', () => {
  it(
    "puts a package's request on npm start's bus, as the event its archive function is handed",
    async () => {
      await completed(9001);
      await completed(9001, 'acme');

      const one = await stack.ops('archive', '9001');
      const acme = await stack.ops('archive', '9001', '--tenant', 'acme', '--force');

      expect(one.stderr).toBe('');
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(
        /^package 9001 \(COMPLETED\): archive requested on the local stack's bus local of the local stack as \S+; follow it with npm run status -- 9001\n$/,
      );
      expect(acme.code).toBe(0);
      expect(requestsSeen()).toEqual([
        { packageId: 9001, tenant: 'default', force: false },
        { packageId: 9001, tenant: 'acme', force: true },
      ]);
      const event = stack.emulator.events.find((seen) => seen.source === OPERATOR_SOURCE);
      expect(event?.detail).toEqual({ packageId: 9001, force: false });
    },
    COMMAND_TEST_MS,
  );

  it(
    'requests every COMPLETED package not yet ARCHIVED with --all-completed, a run at a time',
    async () => {
      const before = requestsSeen().length;
      await completed(9101, 'beta');
      await completed(9102, 'beta');
      await completed(9103, 'beta');
      await completed(9104, 'beta', true);

      const first = await stack.ops('archive', '--all-completed', '--tenant', 'beta', '--max', '2');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const cursor = /--after (\S+) continues\n$/.exec(first.stdout)?.[1];
      expect(cursor).toBeDefined();
      const rest = await stack.ops(
        'archive',
        '--all-completed',
        '--tenant',
        'beta',
        '--after',
        cursor ?? '',
      );
      expect(rest.code).toBe(0);
      expect(rest.stdout).toMatch(
        /\narchive: requested 1 package of tenant beta \(0 of them FAILED before\) on the local stack's bus local of the local stack, /,
      );

      const sent = requestsSeen().slice(before);
      expect(sent.map((request) => request.packageId).sort()).toEqual([9101, 9102, 9103]);
      expect(sent.every((request) => request.tenant === 'beta' && !request.force)).toBe(true);
    },
    COMMAND_TEST_MS,
  );

  it(
    'says there is nothing to do for an ARCHIVED package, and how to find a package it lacks',
    async () => {
      await completed(9201, 'default', true);
      const before = requestsSeen().length;
      const archived = await stack.ops('archive', '9201');
      expect(archived.code).toBe(0);
      expect(archived.stdout).toMatch(
        /^package 9201 is already ARCHIVED .*--force archives it again \(npm run archive -- 9201 --force\)\n$/,
      );
      const unknown = await stack.ops('archive', '9299');
      expect(unknown).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'package 9299 has nothing in the table yet: send a signing event with npm run event -- ' +
          '9299 <signerEmail>\n',
      });
      expect(requestsSeen().length).toBe(before);
    },
    COMMAND_TEST_MS,
  );

  it(
    "redrive -- --queue archive says the local stack has no archive's dead-letter queue",
    async () => {
      expect(await stack.ops('redrive', '--queue', 'archive')).toEqual({
        code: 1,
        stdout: '',
        stderr: `${NO_LOCAL_ARCHIVE_QUEUES}\n`,
      });
    },
    COMMAND_TEST_MS,
  );
});
