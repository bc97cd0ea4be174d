import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createFinisher, type FinishResult } from './signinghub-finisher.ts';

/**
 * The peer: the finish flow as the Powertools documentation shows it, with the batch processor
 * (records in parallel, partial failures) and makeIdempotent over a DynamoDB idempotency table.
 */
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const TABLE_NAME = env('TABLE_NAME');
const logger = new Logger({ serviceName: 'signinghub-finish-peer' });
const dynamoDb = new DynamoDBClient(
  process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {},
);
const finisher = createFinisher({
  baseUrl: env('SIGNINGHUB_BASE_URL', 'https://api.signinghub.com'),
  apiVersion: env('SIGNINGHUB_API_VERSION', 'v3'),
  timeoutMs: Number(env('SIGNINGHUB_TIMEOUT_MS', '10000')),
  credentials: {
    clientId: env('SIGNINGHUB_CLIENT_ID'),
    clientSecret: env('SIGNINGHUB_CLIENT_SECRET'),
    username: env('SIGNINGHUB_USERNAME'),
    password: env('SIGNINGHUB_PASSWORD'),
  },
});

const processor = new BatchProcessor(EventType.SQS);
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: env('IDEMPOTENCY_TABLE_NAME'),
  awsSdkV3Client: dynamoDb,
});
// Duplicates must not finish again while SQS may still deliver them (four days' retention).
const idempotencyConfig = new IdempotencyConfig({ expiresAfterSeconds: 4 * 24 * 60 * 60 });

interface FinishRequest {
  readonly packageId: number;
  readonly signer: string;
}

/** The package item as the contract has it, indexed for the reconciler as ours is. */
const recordPackage = async (packageId: number): Promise<void> => {
  const now = new Date().toISOString();
  try {
    await dynamoDb.send(
      new UpdateItemCommand({
        TableName: TABLE_NAME,
        Key: { pk: { S: `PACKAGE#${packageId}` }, sk: { S: 'PACKAGE' } },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :inProgress',
        UpdateExpression:
          'SET #status = :inProgress, openStatus = :inProgress, updatedAt = :now, ' +
          'createdAt = if_not_exists(createdAt, :now), packageId = :packageId, ' +
          'callbacks = if_not_exists(callbacks, :zero)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':inProgress': { S: 'IN_PROGRESS' },
          ':now': { S: now },
          ':packageId': { N: String(packageId) },
          ':zero': { N: '0' },
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

const finishIdempotently = makeIdempotent(
  async ({ packageId, signer }: FinishRequest): Promise<FinishResult> => {
    const result = await finisher.finish(packageId, signer);
    if (result.status === 'succeeded') {
      await recordPackage(packageId);
      logger.info('finish succeeded', { packageId });
    } else {
      logger.error('finish failed for good', { packageId, result });
    }
    return result;
  },
  { persistenceStore, config: idempotencyConfig },
);

const parse = (body: string): FinishRequest | string => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'the body is not a JSON object';
  const outer = parsed as Record<string, unknown>;
  const event = (
    'packageId' in outer || typeof outer.detail !== 'object' ? outer : outer.detail
  ) as Record<string, unknown>;
  const packageId = Number(event.packageId);
  if (!Number.isSafeInteger(packageId) || packageId <= 0) {
    return 'packageId must be a positive integer';
  }
  const signer = typeof event.signerEmail === 'string' ? event.signerEmail.toLowerCase() : '';
  return { packageId, signer };
};

const recordHandler = async (record: SQSRecord): Promise<FinishResult | undefined> => {
  const request = parse(record.body);
  if (typeof request === 'string') {
    await dynamoDb.send(
      new PutItemCommand({
        TableName: TABLE_NAME,
        Item: {
          pk: { S: `REJECTED#event-${record.messageId}` },
          sk: { S: 'REJECTED' },
          source: { S: 'event' },
          reason: { S: request },
          raw: { S: record.body.slice(0, 65_536) },
          receivedAt: { S: new Date().toISOString() },
        },
      }),
    );
    logger.warn('signing event rejected', { reason: request });
    return undefined;
  }
  return finishIdempotently(request);
};

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  idempotencyConfig.registerLambdaContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
};
