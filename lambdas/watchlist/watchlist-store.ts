import type { Alongside, WriteItem } from '../shared/atomic-writes';
import { addToUserSet, type Page, queryUserItems, removeFromUserSet } from '../shared/user-items';
import { WATCHLIST_ENTITY, WATCHLIST_SORT_PREFIX, type WatchlistEntry, watchlistEntryFromItem, watchlistKey } from './watchlist-item';

/** Idempotent: a repeated add keeps the first `addedAt`, so no analytics event follows. */
export async function addToWatchlist(userId: string, assetId: string, now: string, alongside?: Alongside<WatchlistEntry>): Promise<WatchlistEntry> {
  const asStored = alongside && ((item: Record<string, unknown>) => alongside(watchlistEntryFromItem(item)));
  return watchlistEntryFromItem(await addToUserSet(watchlistKey(userId, assetId), WATCHLIST_ENTITY, 'assetId', assetId, now, asStored));
}

export function removeFromWatchlist(userId: string, assetId: string, alongside?: readonly WriteItem[]): Promise<void> {
  return removeFromUserSet(watchlistKey(userId, assetId), alongside);
}

export function listWatchlist(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<WatchlistEntry>> {
  return queryUserItems(userId, WATCHLIST_SORT_PREFIX, limit, afterSortKey, watchlistEntryFromItem);
}
