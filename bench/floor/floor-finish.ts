import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import ky from 'ky';

/**
 * The floor: the least a finish handler must do per event (one conditional claim, one finish
 * with a cached token, one settle, one package write) with no framework, no validation, no
 * retries and no logging. It imports only the DynamoDB client and ky. The writes carry what
 * lib/store/dynamodb-store.ts writes, so ours and the floor differ in code, not in I/O.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const TABLE_NAME = env('TABLE_NAME');
const BASE_URL = process.env.SIGNINGHUB_BASE_URL ?? 'https://api.signinghub.com';
const API_VERSION = process.env.SIGNINGHUB_API_VERSION ?? 'v3';
const credentials = {
  client_id: env('SIGNINGHUB_CLIENT_ID'),
  client_secret: env('SIGNINGHUB_CLIENT_SECRET'),
  username: env('SIGNINGHUB_USERNAME'),
  password: env('SIGNINGHUB_PASSWORD'),
};
// As functions/finish.ts, so the floor differs in what it does per event, not in parallelism.
const CONCURRENCY = 10;
const LEASE_MS = 65_000;

const dynamoDb = new DynamoDBClient(
  process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {},
);
const http = ky.create({ retry: 0, timeout: 10_000 });
const tokens = new Map<string, Promise<string>>();

const token = (scope: string): Promise<string> => {
  let cached = tokens.get(scope);
  if (cached === undefined) {
    const form = new URLSearchParams({ grant_type: 'password', ...credentials });
    if (scope !== '') form.set('scope', scope);
    cached = http
      .post(`${BASE_URL}/authenticate`, { body: form })
      .json<{ access_token: string }>()
      .then((answer) => answer.access_token);
    tokens.set(scope, cached);
  }
  return cached;
};

const update = (
  key: Record<string, AttributeValue>,
  expression: string,
  values: Record<string, AttributeValue>,
  condition: string,
) =>
  dynamoDb.send(
    new UpdateItemCommand({
      TableName: TABLE_NAME,
      Key: key,
      ConditionExpression: condition,
      UpdateExpression: expression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    }),
  );

const finishOne = async (record: SQSRecord): Promise<void> => {
  const { packageId, signerEmail } = JSON.parse(record.body) as {
    packageId: number;
    signerEmail?: string;
  };
  const signer = signerEmail?.toLowerCase() ?? '-';
  const pk = { S: `PACKAGE#${packageId}` };
  const finishKey = { pk, sk: { S: `FINISH#${signer}` } };
  const leaseId = { S: randomUUID() };
  const claimedAt = new Date();
  try {
    await update(
      finishKey,
      'SET #status = :inFlight, leaseId = :leaseId, leaseUntil = :leaseUntil, updatedAt = :now, ' +
        'createdAt = if_not_exists(createdAt, :now), attempts = if_not_exists(attempts, :zero), ' +
        'packageId = :packageId, signerEmail = :signer',
      {
        ':retrying': { S: 'RETRYING' },
        ':inFlight': { S: 'IN_FLIGHT' },
        ':nowMs': { N: String(claimedAt.getTime()) },
        ':leaseId': leaseId,
        ':leaseUntil': { N: String(claimedAt.getTime() + LEASE_MS) },
        ':now': { S: claimedAt.toISOString() },
        ':packageId': { N: String(packageId) },
        ':signer': { S: signer },
        ':zero': { N: '0' },
      },
      'attribute_not_exists(pk) OR #status = :retrying OR (#status = :inFlight AND leaseUntil < :nowMs)',
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return;
    throw error;
  }
  await http.post(`${BASE_URL}/${API_VERSION}/packages/${packageId}/finish`, {
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Bearer ${await token(signer === '-' ? '' : signer)}`,
    },
  });
  const now = { S: new Date().toISOString() };
  await update(
    finishKey,
    'SET #status = :status, updatedAt = :now, finishedAt = :now REMOVE leaseId, leaseUntil ADD attempts :sent',
    {
      ':status': { S: 'SUCCEEDED' },
      ':now': now,
      ':leaseId': leaseId,
      ':inFlight': { S: 'IN_FLIGHT' },
      ':sent': { N: '1' },
    },
    'leaseId = :leaseId AND #status = :inFlight',
  );
  await update(
    { pk, sk: { S: 'PACKAGE' } },
    'SET #status = :inProgress, openStatus = :inProgress, updatedAt = :now, ' +
      'createdAt = if_not_exists(createdAt, :now), packageId = :packageId, ' +
      'callbacks = if_not_exists(callbacks, :zero)',
    {
      ':inProgress': { S: 'IN_PROGRESS' },
      ':now': now,
      ':packageId': { N: String(packageId) },
      ':zero': { N: '0' },
    },
    'attribute_not_exists(pk) OR #status = :inProgress',
  ).catch((error: unknown) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < event.Records.length) {
      const record = event.Records[next++] as SQSRecord;
      await finishOne(record).catch(() => failed.push(record.messageId));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
