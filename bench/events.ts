import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { signingEventBody, sqsEvent, sqsRecord } from '../tests/support/factories.ts';

/** Signers the events are spread over: each is one token scope. */
export const SIGNER_COUNT = 20;
export const signerEmail = (index: number): string =>
  `signer-${(index % SIGNER_COUNT) + 1}@example.com`;

/** SQS batches of distinct signing events: package ids from `firstPackageId` up, signers in turn. */
export const signingEventBatches = (
  firstPackageId: number,
  events: number,
  batchSize: number,
): SQSEvent[] => {
  const batches: SQSEvent[] = [];
  for (let start = 0; start < events; start += batchSize) {
    const records = [];
    for (let index = start; index < Math.min(events, start + batchSize); index += 1) {
      const packageId = firstPackageId + index;
      records.push(sqsRecord(signingEventBody({ packageId, signerEmail: signerEmail(index) })));
    }
    batches.push(sqsEvent(...records));
  }
  return batches;
};

/** What API Gateway (HTTP API, payload 2.0) hands the callback for SigningHub's GET. */
export const callbackRequest = (secret: string, packageId: number): APIGatewayProxyEventV2 => {
  const rawPath = `/signinghub/callback/${secret}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'GET /signinghub/callback/{secret}',
    rawPath,
    rawQueryString: `package_id=${packageId}`,
    headers: {
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'SigningHub',
      accept: '*/*',
    },
    queryStringParameters: { package_id: String(packageId) },
    pathParameters: { secret },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'GET',
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'SigningHub',
      },
      requestId: randomUUID(),
      routeKey: 'GET /signinghub/callback/{secret}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
};
