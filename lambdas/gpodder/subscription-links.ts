import { findShowIdByFeedUrl, getShow } from '../catalog/show-store';
import { followShow } from '../favourites/favourite-rules';
import { removeFavourite } from '../favourites/favourite-store';
import { FAVOURITE_SORT_PREFIX } from '../favourites/favourite-item';
import { HttpProblem } from '../shared/problem';
import { allUserItems } from '../shared/user-items';
import { sanitizeUrl, urlKey } from './gpodder-urls';
import type { SubscriptionState } from './subscription-store';

/**
 * Where gpodder subscriptions meet Playhead's favourites. A feed whose URL names a catalog
 * show follows that show; any other feed stays a subscription only gpodder clients see.
 * Playhead's own follows and unfollows (the REST routes, sync pushes) are taken in when a
 * gpodder client next reads: a read compares the user's favourites with the subscription
 * states and records the difference then, so the stream router (at its bundle budget) carries
 * nothing for gpodder and no write of the favourites' paths changes.
 */

/** Follows the show the feed names, if any; its id, or undefined for a feed outside the catalog (or a deleted show). */
export async function followFeed(userId: string, url: string, nowMs: number): Promise<string | undefined> {
  const showId = await findShowIdByFeedUrl(url);
  if (showId === undefined) return undefined;
  try {
    await followShow(userId, showId, new Date(nowMs).toISOString());
    return showId;
  } catch (error) {
    if (error instanceof HttpProblem && error.slug === 'show-not-found') return undefined;
    throw error;
  }
}

export async function unfollowFeed(userId: string, url: string, knownShowId: string | undefined): Promise<string | undefined> {
  const showId = knownShowId ?? (await findShowIdByFeedUrl(url));
  if (showId !== undefined) await removeFavourite(userId, showId);
  return showId;
}

/**
 * The subscription states that Playhead-side changes call for: a followed show with a feed URL
 * and no live subscription becomes one; a subscription whose show is no longer followed
 * becomes a removal. Both are recorded at `nowMs`, so every device's next `since` read sees them.
 */
export async function reconcileWithFavourites(userId: string, states: readonly SubscriptionState[], nowMs: number): Promise<SubscriptionState[]> {
  const favourites = new Map(
    (await allUserItems(userId, FAVOURITE_SORT_PREFIX, { consistentRead: true })).map((item) => [String(item.showId), Date.parse(String(item.addedAt))] as const),
  );
  // By key: a feed its publisher moved to another show is both the old show's removal and the new one's follow, and one write.
  const changed = new Map<string, SubscriptionState>();
  const linked = new Map<string, SubscriptionState>();
  for (const state of states) {
    if (state.showId === undefined) continue;
    const previous = linked.get(state.showId);
    if (previous === undefined || state.changedAt > previous.changedAt) linked.set(state.showId, state);
  }
  for (const state of linked.values()) {
    if (state.subscribed && !favourites.has(state.showId as string)) changed.set(state.key, { ...state, subscribed: false, changedAt: nowMs });
  }
  const unlinked = [...favourites].filter(([showId, addedAt]) => {
    const state = linked.get(showId);
    // A removal recorded after the follow stands (the unfollow it made may not have gone through yet).
    return state === undefined || (!state.subscribed && state.changedAt < addedAt);
  });
  const shows = await Promise.all(unlinked.map(([showId]) => getShow(showId)));
  const byKey = new Map(states.map((state) => [state.key, state]));
  for (const show of shows) {
    if (show === undefined || show.deletedAt !== undefined || show.feedUrl === undefined) continue;
    const url = sanitizeUrl(show.feedUrl);
    if (url === '') continue;
    const key = urlKey(url);
    changed.set(key, { key, url: byKey.get(key)?.url ?? url, subscribed: true, changedAt: nowMs, showId: show.showId });
  }
  return [...changed.values()];
}
