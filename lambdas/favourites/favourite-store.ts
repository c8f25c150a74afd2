import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems } from '../shared/user-items';
import { FAVOURITE_ENTITY, FAVOURITE_SORT_PREFIX, type Favourite, favouriteFromItem, favouriteKey } from './favourite-item';

/** Idempotent: a repeated add keeps the first `addedAt` and changes nothing, so the feed sees no change. */
export async function addFavourite(userId: string, showId: string, now: string): Promise<Favourite> {
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: favouriteKey(userId, showId),
      UpdateExpression: 'SET entity = :entity, showId = :showId, addedAt = if_not_exists(addedAt, :now)',
      ExpressionAttributeValues: { ':entity': FAVOURITE_ENTITY, ':showId': showId, ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return favouriteFromItem(output.Attributes ?? {});
}

/** Removing a show that is not a favourite is a success that changes nothing. */
export async function removeFavourite(userId: string, showId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: favouriteKey(userId, showId) }));
}

export function listFavourites(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<Favourite>> {
  return queryUserItems(userId, FAVOURITE_SORT_PREFIX, limit, afterSortKey, favouriteFromItem);
}
