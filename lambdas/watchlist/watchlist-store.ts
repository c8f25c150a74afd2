import { addToUserSet, type Page, queryUserItems, removeFromUserSet } from '../shared/user-items';
import { WATCHLIST_ENTITY, WATCHLIST_SORT_PREFIX, type WatchlistEntry, watchlistEntryFromItem, watchlistKey } from './watchlist-item';

/** Idempotent: a repeated add keeps the first `addedAt`, so no analytics event follows. */
export async function addToWatchlist(userId: string, assetId: string, now: string): Promise<WatchlistEntry> {
  return watchlistEntryFromItem(await addToUserSet(watchlistKey(userId, assetId), WATCHLIST_ENTITY, 'assetId', assetId, now));
}

export function removeFromWatchlist(userId: string, assetId: string): Promise<void> {
  return removeFromUserSet(watchlistKey(userId, assetId));
}

export function listWatchlist(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<WatchlistEntry>> {
  return queryUserItems(userId, WATCHLIST_SORT_PREFIX, limit, afterSortKey, watchlistEntryFromItem);
}
