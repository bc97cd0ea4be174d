import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import {
  callbackEvent,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../tests/support/factories.ts';

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
export const callbackRequest = (secret: string, packageId: number): APIGatewayProxyEventV2 =>
  callbackEvent({ secret, query: { package_id: String(packageId) } });
