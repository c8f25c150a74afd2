import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Alongside, type WriteItem, writeTogether } from './atomic-writes';
import { documentClient, tableName } from './dynamo';
import { userPartitionKey } from './keys';
import { queryAll, queryPage, RETRY, retryOptimistic } from './table-access';

export interface Page<T> {
  items: T[];
  /** Sort key of the last item returned, when more items follow. */
  lastSortKey: string | undefined;
}

/** One page of a user's items whose sort key starts with `prefix`. */
export async function queryUserItems<T>(
  userId: string,
  prefix: string,
  limit: number,
  afterSortKey: string | undefined,
  fromItem: (item: Record<string, unknown>) => T,
  /** Strongly consistent when a reader must see every committed write (sync snapshots). */
  consistentRead = false,
): Promise<Page<T>> {
  const pk = userPartitionKey(userId);
  const page = await queryPage(
    { TableName: tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix }, ConsistentRead: consistentRead },
    limit,
    afterSortKey === undefined ? undefined : { PK: pk, SK: afterSortKey },
  );
  return { items: page.items.map(fromItem), lastSortKey: page.more ? (page.items.at(-1)?.SK as string | undefined) : undefined };
}

/**
 * Every item of a user's whose sort key starts with `prefix`, all pages: for small collections
 * that are used whole (fetch positions, message slots, the queue, which is ordered by position
 * rather than key). `filter` is a FilterExpression on `values` (and `names`).
 */
export async function allUserItems(
  userId: string,
  prefix: string,
  options: { consistentRead?: boolean; filter?: { expression: string; values: Record<string, unknown>; names?: Record<string, string> } } = {},
): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    FilterExpression: options.filter?.expression,
    ExpressionAttributeNames: options.filter?.names,
    ExpressionAttributeValues: { ':pk': userPartitionKey(userId), ':prefix': prefix, ...options.filter?.values },
    ConsistentRead: options.consistentRead ?? false,
  });
}

/**
 * Adds a member to a user-owned set (watchlist, favourites): a repeated add keeps the first
 * `addedAt` and changes nothing, so the stream sees no change and nothing follows from it.
 * Returns the item as stored.
 */
export async function addToUserSet(
  key: { PK: string; SK: string },
  entity: string,
  idAttribute: string,
  id: string,
  now: string,
  alongside?: Alongside<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  if (alongside !== undefined) return addToUserSetAlongside(key, { ...key, entity, [idAttribute]: id, addedAt: now }, alongside);
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET entity = :entity, #id = :id, addedAt = if_not_exists(addedAt, :now)',
      ExpressionAttributeNames: { '#id': idAttribute },
      ExpressionAttributeValues: { ':entity': entity, ':id': id, ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return output.Attributes ?? {};
}

/**
 * What is written alongside carries the stored item (its first `addedAt`), so it is read first;
 * the member is then created only if it is still absent, or left as it is.
 */
async function addToUserSetAlongside(key: { PK: string; SK: string }, item: Record<string, unknown>, alongside: Alongside<Record<string, unknown>>): Promise<Record<string, unknown>> {
  return retryOptimistic(`adding ${key.SK}`, 3, async () => {
    const existing = (await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    if (existing !== undefined) {
      await writeTogether([], alongside(existing));
      return existing;
    }
    const refused = await writeTogether([{ Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } }], alongside(item));
    // Another device added it in between: the next read finds it.
    return refused === undefined ? item : RETRY;
  });
}

/** Removing an absent member is a success that changes nothing. */
export async function removeFromUserSet(key: { PK: string; SK: string }, alongside: readonly WriteItem[] = []): Promise<void> {
  await writeTogether([{ Delete: { TableName: tableName, Key: key } }], alongside);
}
