import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SigningEventInput {
  packageId?: unknown;
  signerEmail?: unknown;
  eventId?: unknown;
  occurredAt?: unknown;
  tenant?: unknown;
}

/** The JSON an upstream system puts on the queue. */
export const signingEventBody = (input: SigningEventInput): string =>
  JSON.stringify({
    eventId: randomUUID(),
    occurredAt: '2026-11-27T10:00:00Z',
    ...input,
  });

/** The same event wrapped the way an EventBridge rule delivers it to SQS. */
export const eventBridgeEnvelope = (detail: SigningEventInput): string =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'SignerSigned',
    source: 'signing.upstream',
    account: '123456789012',
    time: '2026-11-27T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });

export const sqsRecord = (body: string, overrides: Partial<SQSRecord> = {}): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: `receipt-${randomUUID()}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1795800000000',
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: '1795800000000',
  },
  messageAttributes: {},
  md5OfBody: 'not-checked',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:signinghub-finish-test-SigningEventsQueue',
  awsRegion: 'eu-west-1',
  ...overrides,
});

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export interface CallbackEventInput {
  method?: 'GET' | 'HEAD' | 'POST' | string;
  secret?: string | undefined;
  /** The tenant route's `{tenant}`; undefined: the default route. */
  tenant?: string | undefined;
  query?: Record<string, string>;
  /** `null` is what serverless-offline sends for a request without a body. */
  body?: string | null;
  contentType?: string;
  base64?: boolean;
}

/** What API Gateway's HTTP API (payload 2.0) hands the callback function. */
export const callbackEvent = (input: CallbackEventInput = {}): APIGatewayProxyEventV2 => {
  const method = input.method ?? 'GET';
  const secretSegment = input.secret === undefined ? '' : encodeURIComponent(input.secret);
  const { tenant } = input;
  const route =
    tenant === undefined
      ? '/signinghub/callback/{secret}'
      : '/signinghub/tenants/{tenant}/callback/{secret}';
  const rawPath =
    tenant === undefined
      ? `/signinghub/callback/${secretSegment}`
      : `/signinghub/tenants/${encodeURIComponent(tenant)}/callback/${secretSegment}`;
  const pathParameters = {
    ...(tenant === undefined ? {} : { tenant }),
    ...(input.secret === undefined ? {} : { secret: input.secret }),
  };
  const query = input.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const headers: Record<string, string> = { host: 'abc123.execute-api.eu-west-1.amazonaws.com' };
  if (input.contentType) headers['content-type'] = input.contentType;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath,
    rawQueryString,
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length === 0 ? {} : { pathParameters }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'SigningHub',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${route}`,
      stage: '$default',
      time: '27/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795780800000,
    },
    isBase64Encoded: input.base64 === true,
    ...(input.body === undefined || input.body === null
      ? {}
      : { body: input.base64 ? Buffer.from(input.body).toString('base64') : input.body }),
  };
  // The type says string or absent; Object.assign sets the null that serverless-offline sends.
  return input.body === null ? Object.assign(event, { body: null }) : event;
};

export const scheduledEvent = (): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/signinghub-finish-test-reconcile'],
  detail: {},
});
