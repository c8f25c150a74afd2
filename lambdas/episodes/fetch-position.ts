import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { allUserItems } from '../shared/user-items';

/**
 * How far a user has fetched a show: `USER#<userId>` / `FETCHED#<showId>`, holding the index
 * sort key of the newest episode handed out. Kept on the server, so every device shares it;
 * moved only together with the queue entries it hands out (one transaction).
 */
export const FETCH_POSITION_ENTITY = 'fetch-position';
const FETCHED_SORT_PREFIX = 'FETCHED#';

const fetchPositionSchema = z.object({ showId: z.string(), position: z.string(), fetchedAt: z.string() });

export const fetchPositionKey = (userId: string, showId: string) => ({ PK: userPartitionKey(userId), SK: `${FETCHED_SORT_PREFIX}${showId}` });

/** All of a user's positions, by show; eventually consistent is enough, the write checks the position it saw. */
export async function fetchPositions(userId: string): Promise<Map<string, string>> {
  const items = await allUserItems(userId, FETCHED_SORT_PREFIX);
  return new Map(items.map((item) => fetchPositionSchema.parse(item)).map((p) => [p.showId, p.position]));
}

/** After losing a race: the position another device just moved. */
export async function currentFetchPosition(userId: string, showId: string): Promise<string | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: fetchPositionKey(userId, showId), ConsistentRead: true }));
  return output.Item ? fetchPositionSchema.parse(output.Item).position : undefined;
}

/** The conditional move of a position, as one part of a transaction. */
export function movePositionWrite(userId: string, showId: string, from: string | undefined, to: string, now: string) {
  return {
    Update: {
      TableName: tableName,
      Key: fetchPositionKey(userId, showId),
      UpdateExpression: 'SET entity = :entity, showId = :showId, #position = :to, fetchedAt = :now',
      ConditionExpression: from === undefined ? 'attribute_not_exists(PK)' : '#position = :from',
      ExpressionAttributeNames: { '#position': 'position' },
      ExpressionAttributeValues: { ':entity': FETCH_POSITION_ENTITY, ':showId': showId, ':to': to, ':now': now, ...(from === undefined ? {} : { ':from': from }) },
    },
  };
}
