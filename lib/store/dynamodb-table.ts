import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.ts';
import { type Item, keyOf } from './attributes.ts';
import type { TableKey } from './keys.ts';

type Without<T> = Omit<T, 'TableName'>;

/** A conditional write: the attributes asked for, or what it found when its condition failed. */
export type WriteResult =
  | { readonly written: true; readonly item: Item }
  | { readonly written: false; readonly found: Item | undefined };

/**
 * The table as the stores use it: every SDK failure but a failed condition becomes a StoreError
 * that keeps the SDK's error as its cause, so callers handle one kind of error.
 */
export class DynamoDbTable {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /** An UpdateItem whose condition may fail: the new attributes asked for, or what it found. */
  async update(input: Without<UpdateItemCommandInput>): Promise<WriteResult> {
    try {
      const { Attributes: item = {} } = await this.#client.send(
        new UpdateItemCommand({ ...input, TableName: this.#tableName }),
      );
      return { written: true, item };
    } catch (error) {
      return this.#conditionFailed(error, 'UpdateItem');
    }
  }

  /** A PutItem whose condition may fail. */
  async put(input: Without<PutItemCommandInput>): Promise<WriteResult> {
    try {
      await this.#client.send(new PutItemCommand({ ...input, TableName: this.#tableName }));
      return { written: true, item: input.Item ?? {} };
    } catch (error) {
      return this.#conditionFailed(error, 'PutItem');
    }
  }

  /** A strongly consistent read of one item. */
  async get(key: TableKey): Promise<Item | undefined> {
    try {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: keyOf(key), ConsistentRead: true }),
      );
      return item;
    } catch (error) {
      throw new StoreError('GetItem', { cause: error });
    }
  }

  async query(input: Without<QueryCommandInput>): Promise<QueryCommandOutput> {
    try {
      return await this.#client.send(new QueryCommand({ ...input, TableName: this.#tableName }));
    } catch (error) {
      throw new StoreError('Query', { cause: error });
    }
  }

  #conditionFailed(error: unknown, operation: string): WriteResult {
    if (error instanceof ConditionalCheckFailedException)
      return { written: false, found: error.Item };
    throw new StoreError(operation, { cause: error });
  }
}
