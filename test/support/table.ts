import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../../lambdas/shared/concurrency';
import { userPartitionKey } from '../../lambdas/shared/keys';
import { endpoints } from './api';

/** Direct access to the local table, to prove what a request did or did not write. */
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);

/** Every item of one partition (a curated catalog: `CATALOG#<id>`), strongly consistent. */
export async function itemsOfPartition(partitionKey: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({ TableName: endpoints.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': partitionKey }, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

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

/** Every item matching a filter, by scanning the local table: only for proofs over many users at once. */
export async function scanItems(filter: string, values: Record<string, unknown>, names?: Record<string, string>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({ TableName: endpoints.tableName, FilterExpression: filter, ExpressionAttributeValues: values, ExpressionAttributeNames: names, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** Writes many items, 25 per request, several requests at once; unprocessed items are sent again. */
export async function putItems(items: Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapConcurrently(chunks, 8, async (chunk) => {
    let requests: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [endpoints.tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
    };
    while (requests !== undefined && Object.keys(requests).length > 0) {
      const output = await client.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = output.UnprocessedItems as typeof requests;
    }
  });
}

/** Every item under one GSI1 partition (holders of a content key, a show's episodes), read whole. */
export async function itemsInIndex(partition: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({ TableName: endpoints.tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ExclusiveStartKey: startKey }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** Sets attributes on one item: for states a test cannot reach through the API in reasonable time. */
export async function updateItem(key: Record<string, unknown>, values: Record<string, unknown>): Promise<void> {
  const names = Object.keys(values);
  await client.send(
    new UpdateCommand({
      TableName: endpoints.tableName,
      Key: key,
      UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])),
    }),
  );
}
