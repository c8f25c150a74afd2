import { type Asset, getAsset } from '../catalog/asset-store';
import { requirePlayable } from '../catalog/availability';
import type { Alongside } from '../shared/atomic-writes';
import type { Principal } from '../shared/principal';
import type { WatchlistEntry } from './watchlist-item';
import { addToWatchlist } from './watchlist-store';

/**
 * Adds a title the viewer may watch (it exists, is not deleted, and is shown in their country),
 * as `readAsset` finds it: the table unless the caller passes another read (the route passes the
 * catalog reader's; a sync push keeps the table's).
 */
export async function addPlayableToWatchlist(
  principal: Principal,
  assetId: string,
  now: string,
  alongside?: Alongside<WatchlistEntry>,
  readAsset: (assetId: string) => Promise<Asset | undefined> = getAsset,
): Promise<WatchlistEntry> {
  requirePlayable(await readAsset(assetId), assetId, principal.country);
  return addToWatchlist(principal.userId, assetId, now, alongside);
}
