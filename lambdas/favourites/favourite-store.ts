import type { Alongside, WriteItem } from '../shared/atomic-writes';
import { addToUserSet, type Page, queryUserItems, removeFromUserSet } from '../shared/user-items';
import { FAVOURITE_ENTITY, FAVOURITE_SORT_PREFIX, type Favourite, favouriteFromItem, favouriteKey } from './favourite-item';

/** Idempotent: a repeated add keeps the first `addedAt` and changes nothing, so the feed sees no change. */
export async function addFavourite(userId: string, showId: string, now: string, alongside?: Alongside<Favourite>): Promise<Favourite> {
  const asStored = alongside && ((item: Record<string, unknown>) => alongside(favouriteFromItem(item)));
  return favouriteFromItem(await addToUserSet(favouriteKey(userId, showId), FAVOURITE_ENTITY, 'showId', showId, now, asStored));
}

export function removeFavourite(userId: string, showId: string, alongside?: readonly WriteItem[]): Promise<void> {
  return removeFromUserSet(favouriteKey(userId, showId), alongside);
}

export function listFavourites(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<Favourite>> {
  return queryUserItems(userId, FAVOURITE_SORT_PREFIX, limit, afterSortKey, favouriteFromItem);
}
