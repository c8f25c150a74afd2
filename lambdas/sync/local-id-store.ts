import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { conditional, expiresAt } from '../shared/table-access';
import { userPartitionKey } from '../shared/keys';
import { feedRetentionMs } from './feed-settings';

/**
 * `USER#<userId>` / `LOCALID#<deviceId>#<localId>`: the key the server gave a record a device
 * created offline. It makes a push sent again reuse the key instead of creating a second
 * record. It is kept for the feed's retention window: longer than any session (one hour), so
 * every retry of a push finds it, and as long as any pull could still need it (a cursor older
 * than the window is refused). Records themselves carry their origin for as long as they exist,
 * so pulls and snapshots show the local id without this mapping.
 */
export const LOCAL_ID_ENTITY = 'local-id';

const localIdKey = (userId: string, deviceId: string, localId: string) => ({ PK: userPartitionKey(userId), SK: `LOCALID#${deviceId}#${localId}` });

const localIdItemSchema = z.object({ entity: z.literal(LOCAL_ID_ENTITY), type: z.string(), key: z.string() });

/**
 * The key for this local id: the one proposed when the local id is new, else the one it was
 * given before. Undefined when the local id was given to a record of another type.
 */
export async function claimLocalId(userId: string, deviceId: string, localId: string, type: string, proposedKey: string, nowMs: number): Promise<string | undefined> {
  const claimed = await conditional(
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...localIdKey(userId, deviceId, localId),
          entity: LOCAL_ID_ENTITY,
          type,
          key: proposedKey,
          createdAt: new Date(nowMs).toISOString(),
          ...expiresAt(nowMs + feedRetentionMs),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  if (claimed) return proposedKey;
  const existing = await findLocalId(userId, deviceId, localId);
  return existing?.type === type ? existing.key : undefined;
}

export async function findLocalId(userId: string, deviceId: string, localId: string): Promise<{ type: string; key: string } | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: localIdKey(userId, deviceId, localId), ConsistentRead: true }));
  return output.Item ? localIdItemSchema.parse(output.Item) : undefined;
}
