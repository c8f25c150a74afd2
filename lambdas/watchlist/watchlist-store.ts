import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems } from '../shared/user-items';
import { WATCHLIST_ENTITY, WATCHLIST_SORT_PREFIX, type WatchlistEntry, watchlistEntryFromItem, watchlistKey } from './watchlist-item';

/**
 * Idempotent add: a repeated add keeps the first `addedAt` and leaves the item unchanged, so
 * the stream sees no new addition and no analytics event is sent.
 */
export async function addToWatchlist(userId: string, assetId: string, now: string): Promise<WatchlistEntry> {
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: watchlistKey(userId, assetId),
      UpdateExpression: 'SET entity = :entity, assetId = :assetId, addedAt = if_not_exists(addedAt, :now)',
      ExpressionAttributeValues: { ':entity': WATCHLIST_ENTITY, ':assetId': assetId, ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return watchlistEntryFromItem(output.Attributes ?? {});
}

/** Removing an absent title is a success that changes nothing. */
export async function removeFromWatchlist(userId: string, assetId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: watchlistKey(userId, assetId) }));
}

export function listWatchlist(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<WatchlistEntry>> {
  return queryUserItems(userId, WATCHLIST_SORT_PREFIX, limit, afterSortKey, watchlistEntryFromItem);
}
