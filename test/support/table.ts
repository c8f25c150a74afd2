import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
