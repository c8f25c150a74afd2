import type { Alongside } from '../shared/atomic-writes';
import { setApplier } from '../shared/sync-appliers';
import type { SyncedType } from '../shared/sync-contract';
import { type WatchlistEntry, watchlistFeed } from './watchlist-item';
import { addPlayableToWatchlist } from './watchlist-rules';
import { removeFromWatchlist } from './watchlist-store';

/** The watchlist in sync pushes: a set of titles. */
export const watchlistSync: SyncedType = {
  ...watchlistFeed,
  apply: setApplier(
    'watchlist',
    'asset',
    (context, id, alongside: Alongside<WatchlistEntry>) => addPlayableToWatchlist(context.principal, id, context.now, alongside),
    removeFromWatchlist,
  ),
};
