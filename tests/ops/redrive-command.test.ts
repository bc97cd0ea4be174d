import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveRequestBody } from '../../lib/archive/archive-request.ts';
import { targetOpener } from '../../ops/open-target.ts';
import { redriveCommand } from '../../ops/redrive-command.ts';
import { NO_LOCAL_ARCHIVE_QUEUES, NO_LOCAL_QUEUES } from '../../ops/target.ts';
import { fakeTarget, linesOf, NEVER_OPENED, openerOf, run } from './command-run.ts';
import { fakeQueues } from './fake-queues.ts';

const QUEUE =
  'https://sqs.eu-west-1.amazonaws.com/123456789012/signinghub-finish-test-SigningEvents';
const DEAD_LETTERS = `${QUEUE}DeadLetter`;
const ARCHIVE_QUEUE =
  'https://sqs.eu-west-1.amazonaws.com/123456789012/signinghub-finish-test-Archive';
const ARCHIVE_DEAD_LETTERS = `${ARCHIVE_QUEUE}DeadLetter`;

/** A stage whose dead-letter queue (the one the command asks for) holds these bodies. */
const stageWith = (fake: ReturnType<typeof fakeQueues>) =>
  fakeTarget({
    queues: (queue) =>
      queue === 'archive'
        ? { port: fake.port, queueUrl: ARCHIVE_QUEUE, deadLetterQueueUrl: ARCHIVE_DEAD_LETTERS }
        : { port: fake.port, queueUrl: QUEUE, deadLetterQueueUrl: DEAD_LETTERS },
  });

const redriveOn = (fake: ReturnType<typeof fakeQueues>, ...args: string[]) => {
  let sleeps = 0;
  const ran = run((streams) =>
    redriveCommand(args, openerOf(stageWith(fake)).opener, streams, async () => {
      sleeps += 1;
    }),
  );
  return { ran, sleeps: () => sleeps };
};

const body = (packageId: number, signerEmail?: string) =>
  JSON.stringify({ packageId, ...(signerEmail ? { signerEmail } : {}) });

describe('npm run redrive', () => {
  it('says each message it moved and what it was, then how many it moved from where to where', async () => {
    const fake = fakeQueues([body(4242, 'Alice@Example.com'), body(4243), 'not a signing event']);
    expect(linesOf(await redriveOn(fake).ran)).toEqual([
      'this SQS does not offer StartMessageMoveTask (test): moving the messages one by one',
      'moved message dlq-1 (package 4242, alice@example.com) to the queue as q-1',
      'moved message dlq-2 (package 4243, the account itself) to the queue as q-2',
      'moved message dlq-3 (not a signing event) to the queue as q-3',
      'redrive: moved 3 messages from signinghub-finish-test-SigningEventsDeadLetter to ' +
        'signinghub-finish-test-SigningEvents of stage test in eu-west-1',
      '',
    ]);
  });

  it('answers in JSON on stdout only, its progress on stderr', async () => {
    const fake = fakeQueues([body(1, 'a@example.com')]);
    const { code, stdout, stderr } = await redriveOn(fake, '--json').ran;
    expect(code).toBe(0);
    expect(stderr.split('\n')).toEqual([
      'this SQS does not offer StartMessageMoveTask (test): moving the messages one by one',
      'moved message dlq-1 (package 1, a@example.com) to the queue as q-1',
      '',
    ]);
    expect(JSON.parse(stdout)).toEqual({
      stage: 'test',
      region: 'eu-west-1',
      queue: 'signing-events',
      from: DEAD_LETTERS,
      to: QUEUE,
      method: 'one-by-one',
      moved: 1,
      messages: [
        { messageId: 'dlq-1', queueMessageId: 'q-1', packageId: 1, signerEmail: 'a@example.com' },
      ],
    });
  });

  it('says how many are left when --max stopped it, in text and in JSON', async () => {
    const text = await redriveOn(fakeQueues([body(1), body(2), body(3)]), '--max', '2').ran;
    expect(text.stdout.split('\n').at(-2)).toBe(
      'redrive: moved 2 messages from signinghub-finish-test-SigningEventsDeadLetter to ' +
        'signinghub-finish-test-SigningEvents of stage test in eu-west-1; stopped at --max 2, ' +
        'about 1 message left (run it again to move more)',
    );
    const json = await redriveOn(fakeQueues([body(1), body(2), body(3)]), '--max', '2', '--json')
      .ran;
    expect(JSON.parse(json.stdout)).toMatchObject({ moved: 2, left: 1 });
    // Stopped at --max with none left: it says so rather than leave it out.
    const exact = await redriveOn(fakeQueues([body(1)]), '--max', '1', '--json').ran;
    expect(JSON.parse(exact.stdout)).toMatchObject({ moved: 1, left: 0 });
    // What others hold in flight is left too.
    const held = await redriveOn(
      fakeQueues([body(1), body(2)], { inFlight: 2 }),
      '--max',
      '1',
      '--json',
    ).ran;
    expect(JSON.parse(held.stdout)).toMatchObject({ moved: 1, left: 3 });
    const dry = await redriveOn(fakeQueues([body(1)]), '--max', '5', '--json').ran;
    expect(JSON.parse(dry.stdout)).not.toHaveProperty('left');
  });

  it("says SQS's move task moved them, waiting between looks at it", async () => {
    const fake = fakeQueues([body(1), body(2)], { moveTask: ['RUNNING', 'COMPLETED'] });
    const { ran, sleeps } = redriveOn(fake);
    expect(linesOf(await ran)).toEqual([
      "started SQS's message move task for about 2 messages; waiting for it",
      'redrive: moved 2 messages from signinghub-finish-test-SigningEventsDeadLetter to ' +
        "signinghub-finish-test-SigningEvents of stage test in eu-west-1 (SQS's message move task)",
      '',
    ]);
    expect(sleeps()).toBe(1);
    const json = await redriveOn(fakeQueues([body(1)], { moveTask: ['COMPLETED'] }), '--json').ran;
    expect(JSON.parse(json.stdout)).toEqual({
      stage: 'test',
      region: 'eu-west-1',
      queue: 'signing-events',
      from: DEAD_LETTERS,
      to: QUEUE,
      method: 'move-task',
      moved: 1,
    });
  });

  it('says an empty dead-letter queue is empty, and succeeds', async () => {
    expect(await redriveOn(fakeQueues([])).ran).toEqual({
      code: 0,
      stdout:
        'the dead-letter queue signinghub-finish-test-SigningEventsDeadLetter of stage test in ' +
        'eu-west-1 is empty: nothing to redrive\n',
      stderr: '',
    });
  });

  it('fails in one line when a message could not be moved', async () => {
    const { code, stdout, stderr } = await redriveOn(fakeQueues([body(1)], { failSend: ['dlq-1'] }))
      .ran;
    expect(code).toBe(1);
    expect(stdout).toContain('moving the messages one by one');
    expect(stderr).toMatch(/^redrive stopped after moving 0 messages: message dlq-1 .*\n$/);
  });

  it.each([['0'], ['ten'], ['1.5']])('refuses --max %s in one line, exit 2', async (max) => {
    const { code, stderr } = await run((streams) =>
      redriveCommand(['--max', max], NEVER_OPENED, streams),
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      '--max takes a positive integer; usage: npm run redrive -- [--queue <name>] [--max N] [--stage <stage> ' +
        '[--region <region>]] [--json] (--help for more)\n',
    );
  });

  it('moves the archive requests with --queue archive, saying what each was', async () => {
    const request = (packageId: number, tenant?: string) =>
      archiveRequestBody({ packageId, tenant: tenant ?? 'default', force: false });
    const completed = JSON.stringify({
      source: 'signinghub.finish',
      'detail-type': 'SigningPackageCompleted',
      detail: { packageId: 4244, status: 'COMPLETED', at: '2026-11-28T07:00:00.000Z' },
    });
    const fake = fakeQueues([request(4242), request(4243, 'acme'), completed, body(1)]);
    expect(linesOf(await redriveOn(fake, '--queue', 'archive').ran)).toEqual([
      'this SQS does not offer StartMessageMoveTask (test): moving the messages one by one',
      'moved message dlq-1 (archive of package 4242) to the queue as q-1',
      'moved message dlq-2 (archive of package 4243 of tenant acme) to the queue as q-2',
      'moved message dlq-3 (archive of package 4244) to the queue as q-3',
      'moved message dlq-4 (not an archive request) to the queue as q-4',
      'redrive: moved 4 messages from signinghub-finish-test-ArchiveDeadLetter to ' +
        'signinghub-finish-test-Archive of stage test in eu-west-1',
      '',
    ]);
    const json = await redriveOn(fakeQueues([request(7, 'acme')]), '--queue', 'archive', '--json')
      .ran;
    expect(JSON.parse(json.stdout)).toEqual({
      stage: 'test',
      region: 'eu-west-1',
      queue: 'archive',
      from: ARCHIVE_DEAD_LETTERS,
      to: ARCHIVE_QUEUE,
      method: 'one-by-one',
      moved: 1,
      messages: [{ messageId: 'dlq-1', queueMessageId: 'q-1', packageId: 7, tenant: 'acme' }],
    });
    // --queue signing-events is the default, named.
    const named = await redriveOn(fakeQueues([body(1)]), '--queue', 'signing-events', '--json').ran;
    expect(JSON.parse(named.stdout)).toMatchObject({ queue: 'signing-events', from: DEAD_LETTERS });
  });

  it('refuses a queue it does not serve in one line naming the two, exit 2', async () => {
    const { code, stdout, stderr } = await run((streams) =>
      redriveCommand(['--queue', 'archives'], NEVER_OPENED, streams),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      '--queue "archives" is not a queue a redrive serves: signing-events (the default) or ' +
        'archive; usage: npm run redrive -- [--queue <name>] [--max N] [--stage <stage> ' +
        '[--region <region>]] [--json] (--help for more)\n',
    );
  });

  it("says the local stack has no archive's dead-letter queue, whether or not it runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redrive-local-'));
    try {
      const ran = await run((streams) =>
        redriveCommand(['--queue', 'archive'], targetOpener({ LOCAL_DIR: dir }), streams),
      );
      expect(ran).toEqual({ code: 1, stdout: '', stderr: `${NO_LOCAL_ARCHIVE_QUEUES}\n` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says the local stack has no dead-letter queue, whether or not it runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redrive-local-'));
    try {
      const { code, stdout, stderr } = await run((streams) =>
        redriveCommand([], targetOpener({ LOCAL_DIR: dir }), streams),
      );
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`${NO_LOCAL_QUEUES}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
