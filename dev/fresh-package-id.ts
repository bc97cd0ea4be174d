import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { packageRefOf } from '../lib/store/keys.ts';
import { TABLE_NAME } from './local-settings.ts';

/** The next package id after every one in the table, of any tenant, so the examples show a fresh loop. */
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
      const ref = packageRefOf(item.pk?.S);
      if (ref) highest = Math.max(highest, ref.packageId);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return highest + 1;
};
