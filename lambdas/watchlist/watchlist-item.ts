import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * A title on a user's watchlist: `USER#<userId>` / `WATCHLIST#<assetId>`. Pure item shape
 * and keys, shared by the store and the stream router.
 */
export const WATCHLIST_ENTITY = 'watchlist-item';
export const WATCHLIST_SORT_PREFIX = 'WATCHLIST#';

export const watchlistItemSchema = z.object({
  entity: z.literal(WATCHLIST_ENTITY),
  assetId: z.string(),
  addedAt: z.string(),
});

export interface WatchlistEntry {
  asset: string;
  addedAt: string;
}

export const watchlistKey = (userId: string, assetId: string) => ({ PK: userPartitionKey(userId), SK: `${WATCHLIST_SORT_PREFIX}${assetId}` });

export const isWatchlistSortKey = (sortKey: string): boolean => sortKey.startsWith(WATCHLIST_SORT_PREFIX);

export function watchlistEntryFromItem(item: Record<string, unknown>): WatchlistEntry {
  const parsed = watchlistItemSchema.parse(item);
  return { asset: parsed.assetId, addedAt: parsed.addedAt };
}
