import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startMotoServer } from '../../harness/moto-server.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { signingEventBody, sqsEvent, sqsRecord } from '../support/factories.ts';
import { enterpriseAccount, loadHandler, testEnvironment } from '../support/function-stack.ts';
import { motoClientConfig } from '../support/moto-deploy.ts';

const PREFIX = 'outage/tenants/';
const account = enterpriseAccount;

let table: TestTable;
let simulator: SigningHubSimulator;
let moto: Awaited<ReturnType<typeof startMotoServer>>;
let sqs: SQSClient;
let queueUrl: string;
let finish: Awaited<ReturnType<typeof loadHandler<'finish'>>>;

beforeAll(async () => {
  simulator = await startSimulator({
    enterprises: { down: { credentials: account('down') }, up: { credentials: account('up') } },
  });
  moto = await startMotoServer();
  const config = motoClientConfig(moto, 'us-east-1');
  sqs = new SQSClient(config);
  const secrets = new SecretsManagerClient(config);
  for (const name of ['down', 'up']) {
    await secrets.send(
      new CreateSecretCommand({
        Name: `${PREFIX}${name}`,
        SecretString: JSON.stringify({
          base_url: simulator.enterprise(name).url,
          client_id: account(name).clientId,
          client_secret: account(name).clientSecret,
          username: account(name).username,
          password: account(name).password,
        }),
      }),
    );
  }
  secrets.destroy();
  // A queue whose own visibility timeout is one second: what comes back later is plain to see.
  ({ QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: 'signing-events', Attributes: { VisibilityTimeout: '1' } }),
  ));
  table = await createTestTable();
  finish = await loadHandler('finish', {
    ...testEnvironment(table, simulator.url),
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'moto',
    AWS_SECRET_ACCESS_KEY: 'moto',
    AWS_REGION: 'us-east-1',
    TENANTS_SECRET_PREFIX: PREFIX,
    SIGNING_EVENTS_QUEUE_URL: queueUrl,
  });
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  sqs?.destroy();
  await simulator?.close();
  await moto?.stop();
  await table?.drop();
});

const receiveAll = async () =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    )
  ).Messages ?? [];

describe('one tenant’s host down', () => {
  it('hands that tenant’s messages back for later after a few failures, and finishes the other tenant’s at once', async () => {
    simulator.enterprise('down').setDown('drop');
    const events = [
      ...[1, 2, 3, 4, 5, 6, 7].map((packageId) => ({ packageId, tenant: 'down' })),
      { packageId: 1, tenant: 'up' },
    ];
    for (const event of events) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: signingEventBody({ signerEmail: 's@x.com', ...event }),
        }),
      );
    }
    const received = await receiveAll();
    expect(received).toHaveLength(8);
    const records = received.map((message) =>
      sqsRecord(message.Body ?? '', {
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
      }),
    );
    const answer = await finish.handler(sqsEvent(...records), lambdaContext(60_000));

    const upId = records.find((record) => record.body.includes('"up"'))?.messageId;
    const failed = answer.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier);
    expect(failed).toHaveLength(7);
    expect(failed).not.toContain(upId);
    expect(simulator.enterprise('up').count('finish')).toBe(1);
    // Five failures open the circuit (the messages share one authentication at a time, so fewer
    // requests reach the host); the rest of the tenant's work is not even tried.
    const tried = simulator.enterprise('down').calls.length;
    expect(tried).toBeGreaterThan(0);
    expect(tried).toBeLessThan(7);

    // The queue's own second has passed: nothing of the down tenant is back (it comes back later);
    // the other tenant's finished message is (Lambda would have deleted it; this test does not).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const back = await receiveAll();
    expect(back.map((message) => JSON.parse(message.Body ?? '{}').tenant)).toEqual(['up']);
  }, 120_000);
});
