import {
  type AttributeDefinition,
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { FauxqsServer } from 'fauxqs';
import { dlqName, queueDefinitions } from '../lib/queue-definitions';
import { type KeyAttribute, tableDefinition } from '../lib/table-definition';

/** The same table the CDK data stack declares, as a CreateTable request. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  const remember = (a: KeyAttribute) => attributes.set(a.name, a);
  remember(tableDefinition.partitionKey);
  remember(tableDefinition.sortKey);
  for (const lsi of tableDefinition.localIndexes) remember(lsi.sortKey);
  for (const gsi of tableDefinition.globalIndexes) {
    remember(gsi.partitionKey);
    remember(gsi.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()].map((a): AttributeDefinition => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: tableDefinition.localIndexes.map((lsi) => ({
      IndexName: lsi.indexName,
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: lsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    })),
    GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType },
  };
}

/** Creates the table unless a previous run already did (DynamoDB Local keeps it on disk). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: tableDefinition.ttlAttribute } }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${tableName} has no stream; delete .playhead/dynamodb and start again.`);
  return streamArn;
}

/** Creates every queue (and its DLQ with the same redrive policy as in AWS) and the bucket. */
export function provisionMessaging(server: FauxqsServer, prefix: string, bucketName: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const queue of queueDefinitions) {
    const dlq = server.createQueue(`${prefix}-${dlqName(queue.name)}`);
    urls[dlqName(queue.name)] = dlq.queueUrl;
    const main = server.createQueue(`${prefix}-${queue.name}`, {
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(queue.maxReceiveCount) }) },
    });
    urls[queue.name] = main.queueUrl;
  }
  server.createBucket(bucketName);
  return urls;
}
