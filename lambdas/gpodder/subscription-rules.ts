import { mapConcurrently } from '../shared/concurrency';
import { validationProblem } from '../shared/problem';
import { allSubscriptionStates, putSubscriptionStates, type SubscriptionState } from './subscription-store';
import { sanitizeUrl, urlKey } from './gpodder-urls';
import { windowStartMs } from './gpodder-time';
import { followFeed, reconcileWithFavourites, unfollowFeed } from './subscription-links';

/**
 * What a gpodder subscription change does: one subscription set per user (every device of the
 * user sees it, as one sync group), matched on the URL's key so spellings of one feed are one
 * subscription; a feed that names a catalog show follows it (subscription-links.ts).
 */

export type UrlRewrite = [string, string];

/** Feed look-ups (and follows) of one upload in flight at once: a first sync names hundreds of feeds. */
const LOOKUP_CONCURRENCY = 16;

export interface ChangeOutcome {
  updateUrls: UrlRewrite[];
}

interface Sanitized {
  url: string;
  key: string;
}

function sanitizeAll(urls: readonly string[], rewrites: UrlRewrite[]): Sanitized[] {
  const out: Sanitized[] = [];
  for (const original of urls) {
    const url = sanitizeUrl(original);
    if (url !== original) rewrites.push([original, url]);
    if (url !== '') out.push({ url, key: urlKey(url) });
  }
  return out;
}

/** The spelling sent first is the one kept. */
function firstOfEachKey(urls: readonly Sanitized[]): Map<string, Sanitized> {
  const byKey = new Map<string, Sanitized>();
  for (const url of urls) if (!byKey.has(url.key)) byKey.set(url.key, url);
  return byKey;
}

/** Applies an upload's adds and removes; a URL in both lists as sent is a bad request (as on gpodder.net). */
export async function changeSubscriptions(
  userId: string,
  add: readonly string[],
  remove: readonly string[],
  nowMs: number,
  /** The states a caller has just read with currentStates, so they are not read twice. */
  known?: readonly SubscriptionState[],
): Promise<ChangeOutcome> {
  // Sets: the lists may hold thousands of URLs each.
  const removing = new Set(remove);
  const both = add.filter((url) => removing.has(url));
  if (both.length > 0) throw validationProblem([{ field: 'body.remove', message: 'must not name a URL that body.add names' }]);
  const updateUrls: UrlRewrite[] = [];
  const adds = firstOfEachKey(sanitizeAll(add, updateUrls));
  // Two spellings of one feed in both lists: the add wins, as gpodder.net drops the remove.
  const removes = firstOfEachKey(sanitizeAll(remove, updateUrls).filter((s) => !adds.has(s.key)));
  // The whole set, with Playhead's own follows and unfollows taken in first: an add of a feed whose show was unfollowed in Playhead must follow it again.
  const current = new Map((known ?? (await currentStates(userId, nowMs))).map((s) => [s.key, s]));
  const toAdd = [...adds.values()].filter(({ key }) => current.get(key)?.subscribed !== true);
  const toRemove = [...removes.values()].filter(({ key }) => current.get(key)?.subscribed !== false);
  const added = await mapConcurrently(toAdd, LOOKUP_CONCURRENCY, async ({ url, key }): Promise<SubscriptionState> => {
    const showId = await followFeed(userId, url, nowMs);
    return { key, url: current.get(key)?.url ?? url, subscribed: true, changedAt: nowMs, ...(showId ? { showId } : {}) };
  });
  const removed = await mapConcurrently(toRemove, LOOKUP_CONCURRENCY, async ({ url, key }): Promise<SubscriptionState> => {
    const showId = await unfollowFeed(userId, url, current.get(key)?.showId);
    return { key, url: current.get(key)?.url ?? url, subscribed: false, changedAt: nowMs, ...(showId ? { showId } : {}) };
  });
  const writes = [...added, ...removed];
  await putSubscriptionStates(userId, writes);
  return { updateUrls };
}

/** The simple API's whole-list upload: the difference to the user's set, applied as one change. */
export async function replaceSubscriptions(userId: string, urls: readonly string[], nowMs: number): Promise<void> {
  const wanted = new Set(urls.map(sanitizeUrl).filter((url) => url !== '').map(urlKey));
  const states = await currentStates(userId, nowMs);
  const remove = states.filter((s) => s.subscribed && !wanted.has(s.key)).map((s) => s.url);
  const removing = new Set(remove);
  await changeSubscriptions(userId, urls.filter((url) => !removing.has(url)), remove, nowMs, states);
}

/** Every subscription state, after Playhead-side follows and unfollows of catalog shows are taken in. */
async function currentStates(userId: string, nowMs: number): Promise<SubscriptionState[]> {
  const states = await allSubscriptionStates(userId);
  const changed = await reconcileWithFavourites(userId, states, nowMs);
  if (changed.length === 0) return states;
  await putSubscriptionStates(userId, changed);
  const byKey = new Map(states.map((s) => [s.key, s]));
  for (const state of changed) byKey.set(state.key, state);
  return [...byKey.values()];
}

export async function subscribedUrls(userId: string, nowMs: number): Promise<string[]> {
  return (await currentStates(userId, nowMs)).filter((s) => s.subscribed).map((s) => s.url);
}

/**
 * The changes since `since` (seconds, already clamped): the current state of every
 * subscription recorded in the window, which starts a minute early; `since` 0 is the whole
 * current set.
 */
export async function subscriptionChanges(userId: string, since: number, nowMs: number): Promise<{ add: string[]; remove: string[] }> {
  const states = await currentStates(userId, nowMs);
  if (since <= 0) return { add: states.filter((s) => s.subscribed).map((s) => s.url), remove: [] };
  const from = windowStartMs(since);
  const recent = states.filter((s) => s.changedAt >= from);
  return { add: recent.filter((s) => s.subscribed).map((s) => s.url), remove: recent.filter((s) => !s.subscribed).map((s) => s.url) };
}
