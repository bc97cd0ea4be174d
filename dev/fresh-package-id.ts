import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_NAME } from './local-settings.ts';

/** The next package id after every one in the table, so the example shows a fresh loop. */
export const freshPackageId = async (client: DynamoDBClient): Promise<number> => {
  let highest = 1000;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE_NAME,
        ProjectionExpression: 'pk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const match = /^PACKAGE#([0-9]+)$/.exec(item.pk?.S ?? '');
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return highest + 1;
};
