import { requirePlayable } from '../catalog/availability';
import { getAsset } from '../catalog/asset-store';
import type { Alongside } from '../shared/atomic-writes';
import type { Principal } from '../shared/principal';
import type { WatchlistEntry } from './watchlist-item';
import { addToWatchlist } from './watchlist-store';

/** Adds a title the viewer may watch (it exists, is not deleted, and is shown in their country). */
export async function addPlayableToWatchlist(principal: Principal, assetId: string, now: string, alongside?: Alongside<WatchlistEntry>): Promise<WatchlistEntry> {
  requirePlayable(await getAsset(assetId), assetId, principal.country);
  return addToWatchlist(principal.userId, assetId, now, alongside);
}
