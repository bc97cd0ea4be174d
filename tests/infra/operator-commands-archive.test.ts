import { UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { type Message, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveRequestBody, parseArchiveMessage } from '../../lib/archive/archive-request.ts';
import { DynamoDbArchiveStore } from '../../lib/store/dynamodb-archive-store.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import { COMMAND_TEST_MS, deployOperatorStage, oneLine } from './operator-commands-stage.ts';

/** npm run archive and redrive -- --queue archive, against the default configuration in moto. */
const { stage, onStage, drain } = deployOperatorStage();

/** The archive's queue mapping: moto cannot run the function, and would take the messages. */
const ARCHIVE_MAPPING = 'ArchiveEventSourceMappingSQSArchiveQueue';
const NOW = new Date('2026-11-28T07:00:00Z');

const archiveQueues = () => {
  const { stack } = stage();
  return {
    queueUrl: stack.outputs.ArchiveQueueUrl ?? '',
    deadLetterQueueUrl: stack.outputs.ArchiveDeadLetterQueueUrl ?? '',
  };
};

/** A package of a tenant, COMPLETED as reconcile records it, and ARCHIVED or FAILED if asked. */
const completed = async (
  packageId: number,
  tenant = 'default',
  archive?: 'ARCHIVED' | 'FAILED',
) => {
  const { dynamoDb, stack } = stage();
  const table = new DynamoDbTable(dynamoDb, stack.physicalId('Table'));
  const packages = new DynamoDbPackageStore(table, tenant, new DynamoDbTenantRegistry(table));
  await packages.markInProgress(packageId, NOW);
  await packages.recordConfirmation(
    packageId,
    { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
    NOW,
  );
  const archives = new DynamoDbArchiveStore(table, tenant);
  if (archive === 'ARCHIVED') await archives.markArchived(packageId, 0, 'bucket', NOW);
  if (archive === 'FAILED') await archives.markFailed(packageId, { message: 'gone' }, NOW);
};

/** What each message on a queue asks to archive. */
const requestsOn = (messages: readonly Message[]) =>
  messages.map((message) => {
    const parsed = parseArchiveMessage(message.Body ?? '');
    if (!parsed.ok) throw new Error(`not an archive request: ${message.Body}`);
    return parsed.request;
  });

beforeAll(async () => {
  const { lambda, stack } = stage();
  await lambda.send(
    new UpdateEventSourceMappingCommand({
      UUID: stack.physicalId(ARCHIVE_MAPPING),
      Enabled: false,
    }),
  );
});

beforeEach(async () => {
  const { sqs } = stage();
  for (const url of Object.values(archiveQueues())) {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  }
});

describe('npm run archive on a stage deployed in moto', () => {
  it(
    "puts a COMPLETED package's request on ArchiveQueue, found by the stack's output",
    async () => {
      await completed(7301);

      const result = await onStage('archive', '7301');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^package 7301 \(COMPLETED\): archive requested on ArchiveQueue \S+ of stage test in eu-west-1 as \S+; follow it with npm run status -- 7301 --stage test --region eu-west-1$/,
      );
      expect(requestsOn(await drain(archiveQueues().queueUrl))).toEqual([
        { packageId: 7301, tenant: 'default', force: false },
      ]);
    },
    COMMAND_TEST_MS,
  );

  it(
    "archives a tenant's ARCHIVED package again only with --force, and refuses a DECLINED one",
    async () => {
      await completed(7302, 'acme', 'ARCHIVED');

      const plain = await onStage('archive', '7302', '--tenant', 'acme');
      expect(plain.code).toBe(0);
      expect(oneLine(plain.stdout)).toMatch(/^package 7302 of tenant acme is already ARCHIVED /);
      expect(await drain(archiveQueues().queueUrl)).toEqual([]);

      const forced = await onStage('archive', '7302', '--tenant', 'acme', '--force', '--json');
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({ requested: true, force: true });
      expect(requestsOn(await drain(archiveQueues().queueUrl))).toEqual([
        { packageId: 7302, tenant: 'acme', force: true },
      ]);

      const { packages } = stage();
      await packages.markInProgress(7303, NOW);
      await packages.recordConfirmation(
        7303,
        { status: 'DECLINED', workflowStatus: 'DECLINED' },
        NOW,
      );
      const declined = await onStage('archive', '7303');
      expect(declined.code).toBe(1);
      expect(oneLine(declined.stderr)).toBe(
        'package 7303 is DECLINED: nothing to archive (only a COMPLETED package has signed documents)',
      );
      expect(await drain(archiveQueues().queueUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'requests every COMPLETED package not yet ARCHIVED with --all-completed, resumed with --after',
    async () => {
      for (const packageId of [7311, 7312, 7313]) await completed(packageId, 'beta');
      await completed(7314, 'beta', 'FAILED');
      await completed(7315, 'beta', 'ARCHIVED');

      const first = await onStage('archive', '--all-completed', '--tenant', 'beta', '--max', '3');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const cursor = /--after (\S+) --stage test --region eu-west-1 continues\n$/.exec(
        first.stdout,
      )?.[1];
      expect(cursor).toBeDefined();
      const rest = await onStage(
        'archive',
        '--all-completed',
        '--tenant',
        'beta',
        '--after',
        cursor ?? '',
        '--json',
      );
      expect(rest.code).toBe(0);
      expect(JSON.parse(rest.stdout)).toMatchObject({ requested: 1, next: null });

      const requests = requestsOn(await drain(archiveQueues().queueUrl));
      expect(requests.map((request) => request.packageId).sort()).toEqual([7311, 7312, 7313, 7314]);
      expect(requests.every((request) => request.tenant === 'beta' && !request.force)).toBe(true);
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run redrive -- --queue archive on a stage deployed in moto', () => {
  it(
    "moves ArchiveDeadLetterQueue's messages back to ArchiveQueue, body and attributes",
    async () => {
      const { sqs } = stage();
      const { queueUrl, deadLetterQueueUrl } = archiveQueues();
      const body = archiveRequestBody({ packageId: 7321, tenant: 'acme', force: false });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: body,
          MessageAttributes: { origin: { DataType: 'String', StringValue: 'operator-test' } },
        }),
      );

      const result = await onStage('redrive', '--queue', 'archive');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^moved message \S+ \(archive of package 7321 of tenant acme\) to the queue as \S+$/,
        ),
      );
      expect(lines.at(-1)).toMatch(
        /^redrive: moved 1 message from \S+ to \S+ of stage test in eu-west-1$/,
      );
      const moved = await drain(queueUrl);
      expect(moved.map((message) => message.Body)).toEqual([body]);
      expect(moved[0]?.MessageAttributes).toEqual({
        origin: { DataType: 'String', StringValue: 'operator-test' },
      });
      expect(await drain(deadLetterQueueUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );
});
