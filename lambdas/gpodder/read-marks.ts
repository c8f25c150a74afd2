import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { GPODDER_READ_MARK_ENTITY } from './gpodder-entities';

/**
 * The newest `timestamp` each credential was handed for a kind of read:
 * `USER#<userId>` / `GPREAD#<credentialId>`. A read's `since` is clamped to it, and an upload
 * answers it, so no client is moved past changes it has not read: not by the window between
 * its read and its upload, nor by a `since` taken from its own clock.
 */
export type ReadKind = 'subscriptions' | 'episodes';

const markKey = (userId: string, credentialId: string) => ({ PK: userPartitionKey(userId), SK: `GPREAD#${credentialId}` });

/** Notes `timestamp` as handed out and returns the `since` to read from: never past the last one handed out, nor past now. */
export async function noteRead(userId: string, credentialId: string, kind: ReadKind, since: number, timestamp: number): Promise<number> {
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: markKey(userId, credentialId),
      UpdateExpression: 'SET entity = :entity, #kind = :timestamp',
      ExpressionAttributeNames: { '#kind': kind },
      ExpressionAttributeValues: { ':entity': GPODDER_READ_MARK_ENTITY, ':timestamp': timestamp },
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  const issued = output.Attributes?.[kind];
  const ceiling = typeof issued === 'number' ? Math.min(issued, timestamp) : timestamp;
  return Math.min(since, ceiling);
}

/** What an upload answers: the last timestamp this credential read, else now. */
export async function uploadTimestamp(userId: string, credentialId: string, kind: ReadKind, now: number): Promise<number> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: markKey(userId, credentialId), ProjectionExpression: '#kind', ExpressionAttributeNames: { '#kind': kind } }));
  const issued = output.Item?.[kind];
  return typeof issued === 'number' ? Math.min(issued, now) : now;
}
