import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems, userPartitionKey } from '../shared/user-items';

/** A title on a user's watchlist: `USER#<userId>` / `WATCHLIST#<assetId>`. */
export const WATCHLIST_ENTITY = 'watchlist-item';
const SORT_PREFIX = 'WATCHLIST#';

export const watchlistItemSchema = z.object({
  entity: z.literal(WATCHLIST_ENTITY),
  assetId: z.string(),
  addedAt: z.string(),
});

export interface WatchlistEntry {
  asset: string;
  addedAt: string;
}

const watchlistKey = (userId: string, assetId: string) => ({ PK: userPartitionKey(userId), SK: `${SORT_PREFIX}${assetId}` });

export const isWatchlistSortKey = (sortKey: string): boolean => sortKey.startsWith(SORT_PREFIX);

export function watchlistEntryFromItem(item: Record<string, unknown>): WatchlistEntry {
  const parsed = watchlistItemSchema.parse(item);
  return { asset: parsed.assetId, addedAt: parsed.addedAt };
}

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
  return queryUserItems(userId, SORT_PREFIX, limit, afterSortKey, watchlistEntryFromItem);
}
