import { readFileSync } from 'node:fs';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE_DIR, readCatalogue } from '../../harness/event-catalogue.ts';
import { type MotoServer, startMotoServer } from '../../harness/moto-server.ts';
import { asCatalogued, expectDeliveredCatalogued } from '../support/event-catalogue.ts';
import { motoClientConfig } from '../support/moto-deploy.ts';

let moto: MotoServer;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  moto = await startMotoServer();
  const config = motoClientConfig(moto, 'eu-west-1');
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
  ({ QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: 'subscriber' }),
  ));
  const { Attributes: queue = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  // A consumer's subscription, as docs/events/README.md shows it.
  await events.send(
    new PutRuleCommand({
      Name: 'subscriber',
      EventPattern: JSON.stringify({ source: ['signinghub.finish'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: 'subscriber', Targets: [{ Id: 'queue', Arn: queue.QueueArn }] }),
  );
}, 120_000);

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await moto?.stop();
});

/**
 * moto 5 leaves `account` out of what it delivers (its default input template has no <account>),
 * where EventBridge always sends it: put back as AWS would, and only when missing, so the rest of
 * the envelope is judged as moto delivered it.
 */
const withAccount = (event: unknown): unknown => ({
  account: '123456789012',
  ...(event as object),
});

const exampleOf = (detailType: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${CATALOGUE_DIR}${detailType}.example.json`, 'utf8'));

describe('the event catalogue against what EventBridge (moto) delivers to a rule target', () => {
  it("describes the envelope a queue receives around each event's detail", async () => {
    const detailTypes = [...readCatalogue().events.keys()];
    await events.send(
      new PutEventsCommand({
        Entries: detailTypes.map((detailType) => ({
          Source: 'signinghub.finish',
          DetailType: detailType,
          Detail: JSON.stringify(exampleOf(detailType).detail),
        })),
      }),
    );
    const received: unknown[] = [];
    for (let polls = 0; received.length < detailTypes.length && polls < 20; polls += 1) {
      const { Messages: messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      received.push(...messages.map((message) => withAccount(JSON.parse(message.Body ?? 'null'))));
    }

    expect(
      received.map((event) => (event as Record<string, unknown>)['detail-type']).sort(),
    ).toEqual(detailTypes.sort());
    for (const event of received) {
      const detailType = String((event as Record<string, unknown>)['detail-type']);
      expect(event).toMatchObject({ region: 'eu-west-1', detail: exampleOf(detailType).detail });
    }
    expectDeliveredCatalogued(received);
    // What matches its schema is its generated type, told apart by its detail-type.
    const keys = received
      .map(asCatalogued)
      .flatMap((event) =>
        event['detail-type'] === 'SigningPackageArchived'
          ? event.detail.documents.map((document) => document.key)
          : [],
      );
    expect(keys).toEqual(['acme/1001/2101.pdf', 'acme/1001/2102.pdf']);
  });
});
