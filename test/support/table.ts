import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { userPartitionKey } from '../../lambdas/shared/keys';
import { endpoints } from './api';

/** Direct access to the local table, to prove what a request did or did not write. */
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);

export async function itemsOfUser(userId: string): Promise<Record<string, unknown>[]> {
  const output = await client.send(
    new QueryCommand({ TableName: endpoints.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': userPartitionKey(userId) }, ConsistentRead: true }),
  );
  return output.Items ?? [];
}

/** Writes an item straight into the table, for a state the API would take too long to build. */
export async function putItem(item: Record<string, unknown>): Promise<void> {
  await client.send(new PutCommand({ TableName: endpoints.tableName, Item: item }));
}
