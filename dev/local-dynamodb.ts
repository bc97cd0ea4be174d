import { type DynamoDbLocal, startDynamoDbLocal } from '../harness/dynamodb-local.ts';
import { UserError } from '../ops/user-error.ts';
import { shownPath } from './banner.ts';
import type { LocalSettings } from './local-settings.ts';

/** DynamoDB Local on the stack's port and files; a failure is one line saying what to do. */
export const startLocalDynamoDb = async (
  settings: LocalSettings,
  dbPath: string,
): Promise<DynamoDbLocal> => {
  try {
    return await startDynamoDbLocal({
      port: settings.ports.dynamoDb,
      dbPath,
      startTimeoutMs: 90_000,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/java was not found/i.test(message)) {
      throw new UserError(
        'Java was not found on the PATH, and DynamoDB Local needs it: install Java 17 or newer',
      );
    }
    if (/address already in use|BindException/i.test(message)) {
      throw new UserError(
        `port ${settings.ports.dynamoDb} (DynamoDB Local) is already in use: stop what uses it, ` +
          'or choose another with LOCAL_DYNAMODB_PORT=<port> npm start',
      );
    }
    const last = message.split('\n').filter((line) => line.trim() !== '');
    throw new UserError(
      `DynamoDB Local did not start (${last.at(-1) ?? message}): delete ${shownPath(dbPath)} ` +
        'if its files are damaged, and run npm start again',
    );
  }
};
