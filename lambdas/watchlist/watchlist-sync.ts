import type { Alongside } from '../shared/atomic-writes';
import { setApplier } from '../shared/sync-appliers';
import type { FeedType, MutationApplier } from '../shared/sync-contract';
import { WATCHLIST_ENTITY, WATCHLIST_SORT_PREFIX, type WatchlistEntry, watchlistEntryFromItem, watchlistItemSchema } from './watchlist-item';
import { addPlayableToWatchlist } from './watchlist-rules';
import { removeFromWatchlist } from './watchlist-store';

/** The watchlist in the change feed: a set of titles. */
export const watchlistFeed: FeedType = {
  type: 'watchlist',
  entity: WATCHLIST_ENTITY,
  sortPrefix: WATCHLIST_SORT_PREFIX,
  keyOf: (item) => watchlistItemSchema.parse(item).assetId,
  viewOf: watchlistEntryFromItem,
};

/** Pushes to the watchlist: a set of titles. */
export const watchlistApply: MutationApplier = /* @__PURE__ */ setApplier(
  'watchlist',
  'asset',
  (context, id, alongside: Alongside<WatchlistEntry>) => addPlayableToWatchlist(context.principal, id, context.now, alongside),
  removeFromWatchlist,
);
