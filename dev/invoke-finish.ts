import { createHash, randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SigningEvent } from '../lib/finish/signing-event.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import type { StackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { LOCAL_AWS } from './local-settings.ts';

/** One message as the SQS event source hands it to the function. */
const sqsEvent = (state: StackState, body: string): SQSEvent => {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `local-${randomUUID()}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${state.region}:000000000000:signinghub-finish-${state.stage}-signing-events`,
        awsRegion: state.region,
      },
    ],
  };
};

/** What the finish function answered: how long it took and whether SQS would deliver it again. */
export interface Invocation {
  readonly seconds: string;
  readonly handedBack: boolean;
}

/** Hands the signing event to the local stack's finish function, as its queue would. */
export const invokeFinish = async (state: StackState, event: SigningEvent): Promise<Invocation> => {
  const lambda = new LambdaClient({
    endpoint: state.lambdaEndpoint,
    ...LOCAL_AWS.clientConfig,
    maxAttempts: 1,
  });
  try {
    const body = JSON.stringify({
      ...(event.tenant === DEFAULT_TENANT ? {} : { tenant: event.tenant }),
      packageId: event.packageId,
      ...(event.signerEmail ? { signerEmail: event.signerEmail } : {}),
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
    });
    const started = Date.now();
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: state.finishFunctionName,
        Payload: Buffer.from(JSON.stringify(sqsEvent(state, body))),
      }),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const payload: unknown = answer.Payload
      ? JSON.parse(Buffer.from(answer.Payload).toString('utf8') || 'null')
      : null;
    const errorMessage =
      payload && typeof payload === 'object' && 'errorMessage' in payload
        ? String(payload.errorMessage)
        : answer.FunctionError;
    if (errorMessage !== undefined) {
      throw new UserError(
        `the finish function failed (${errorMessage}): its log is in the npm start terminal`,
      );
    }
    const failures = (payload as SQSBatchResponse | null)?.batchItemFailures ?? [];
    return { seconds, handedBack: failures.length > 0 };
  } finally {
    lambda.destroy();
  }
};
