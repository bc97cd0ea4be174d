import { PurgeQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { signingEventBody } from '../support/factories.ts';
import { COMMAND_TEST_MS, deployOperatorStage, oneLine } from './operator-commands-stage.ts';

/** npm run redrive against the default configuration deployed into a moto of its own. */
const { stage, onStage, drain, deadLetter } = deployOperatorStage();

describe('npm run redrive on a stage deployed in moto', () => {
  beforeEach(async () => {
    // Runs only where the deploy proof could set up (a skipped file has no queues).
    const { sqs, queueUrl, deadLetterQueueUrl } = stage();
    for (const url of [queueUrl, deadLetterQueueUrl]) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }
  });

  it(
    'moves every dead-lettered message back to the queue, body and attributes, one line each',
    async () => {
      const { queueUrl, deadLetterQueueUrl } = stage();
      const bodies = [7001, 7002, 7003].map((packageId) =>
        signingEventBody({ packageId, signerEmail: 'alice@example.com' }),
      );
      for (const body of bodies) await deadLetter(body);

      const result = await onStage('redrive');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      // moto has no StartMessageMoveTask: the command says so and moves them itself.
      expect(lines[0]).toMatch(
        /does not offer StartMessageMoveTask.*moving the messages one by one/,
      );
      for (const packageId of [7001, 7002, 7003]) {
        expect(
          lines.filter((line) =>
            line.includes(`(package ${packageId}, alice@example.com) to the queue as `),
          ),
        ).toHaveLength(1);
      }
      expect(lines.at(-1)).toMatch(
        /^redrive: moved 3 messages from .+ to .+ of stage test in eu-west-1$/,
      );
      const moved = await drain(queueUrl);
      expect(moved.map((message) => message.Body).sort()).toEqual([...bodies].sort());
      for (const message of moved) {
        expect(message.MessageAttributes).toEqual({
          origin: { DataType: 'String', StringValue: 'operator-test' },
        });
      }
      expect(await drain(deadLetterQueueUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );

  it(
    'moves at most --max messages and says how many are left, in text and in JSON',
    async () => {
      const { queueUrl, deadLetterQueueUrl } = stage();
      for (const packageId of [7011, 7012, 7013, 7014, 7015]) {
        await deadLetter(signingEventBody({ packageId }));
      }

      const text = await onStage('redrive', '--max', '2');
      expect(text.code).toBe(0);
      expect(text.stdout.trim().split('\n')).toHaveLength(3);
      expect(text.stdout).toContain(
        'stopped at --max 2, about 3 messages left (run it again to move more)',
      );

      const json = await onStage('redrive', '--max', '2', '--json');
      expect(json.code).toBe(0);
      const summary = JSON.parse(json.stdout) as {
        method: string;
        moved: number;
        messages: { packageId: number }[];
        left: number;
        from: string;
        to: string;
      };
      expect(summary).toMatchObject({
        method: 'one-by-one',
        moved: 2,
        left: 1,
        from: deadLetterQueueUrl,
        to: queueUrl,
      });
      expect(summary.messages).toHaveLength(2);
      expect((await drain(queueUrl)).length).toBe(4);
      expect((await drain(deadLetterQueueUrl)).length).toBe(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'leaves a message it could not put on the queue in the dead-letter queue, and says so',
    async () => {
      const { sqs, queueUrl, deadLetterQueueUrl } = stage();
      // The queue now refuses what the dead-letter queue holds: a send that fails half-way.
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: { MaximumMessageSize: '1024' },
        }),
      );
      const big = signingEventBody({ packageId: 7021, eventId: 'x'.repeat(2_000) });
      try {
        await deadLetter(big);

        const result = await onStage('redrive');

        expect(result.code).toBe(1);
        expect(oneLine(result.stderr)).toMatch(
          /^redrive stopped after moving 0 messages: message \S+ could not be put on the queue \(.+\); it stays in the dead-letter queue/,
        );
        expect(await drain(queueUrl)).toEqual([]);
        // Released at once, not hidden for the receive's visibility timeout.
        expect((await drain(deadLetterQueueUrl)).map((message) => message.Body)).toEqual([big]);
      } finally {
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queueUrl,
            Attributes: { MaximumMessageSize: '262144' },
          }),
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'says the dead-letter queue is empty when it is',
    async () => {
      const result = await onStage('redrive');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^the dead-letter queue \S+ of stage test in eu-west-1 is empty: nothing to redrive$/,
      );
    },
    COMMAND_TEST_MS,
  );
});
