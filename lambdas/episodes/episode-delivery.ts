import { type Episode, episodeSortKeyOf, listPublishedEpisodes } from '../catalog/episode-store';
import { catalogReader } from '../catalog/catalog-reader';
import { listFavourites } from '../favourites/favourite-store';
import { mapConcurrently } from '../shared/concurrency';
import { writeTogether } from '../shared/atomic-writes';
import { RETRY, retryOptimistic } from '../shared/table-access';
import { type QueueEntry, queueEntryFromItem } from '../queue/queue-item';
import { fetchedQueueItem } from '../queue/queue-rules';
import { newQueueEntryWrite } from '../queue/queue-store';
import { currentFetchPosition, fetchPositions, movePositionWrite } from './fetch-position';

export const MAX_PER_SHOW = 50;
/** Shows worked on at once: enough to hide latency, few enough to stay polite to the table. */
const SHOW_CONCURRENCY = 8;
/** Races lost in a row before giving up on a show for this call (another device is fetching it). */
const MAX_ATTEMPTS = 5;

/**
 * Hands a user, for each followed show, up to `perShow` of its newest published episodes that
 * no device of theirs has been handed before, and queues them. Per show, one transaction moves
 * the fetch position and adds the entries, conditional on the position being where this call
 * found it: of two devices fetching at once, one wins and the other finds nothing new, so no
 * episode is ever handed out twice. Lazy: nothing runs until a device asks.
 */
export async function fetchNewEpisodes(userId: string, perShow: number, now: string): Promise<QueueEntry[]> {
  const [shows, positions] = await Promise.all([followedShows(userId), fetchPositions(userId)]);
  const base = Date.parse(now);
  const results = await mapConcurrently(shows, SHOW_CONCURRENCY, (showId, index) => {
    // Each show gets its own band of positions, so a fetch queues show by show, newest first.
    const positionOf = (i: number) => base + (index * MAX_PER_SHOW + i) / 1000;
    return deliverShow(userId, showId, positions.get(showId), perShow, now, positionOf);
  });
  return results.flat();
}

async function followedShows(userId: string): Promise<string[]> {
  const shows: string[] = [];
  let after: string | undefined;
  do {
    const page = await listFavourites(userId, 1000, after);
    shows.push(...page.items.map((f) => f.show));
    after = page.lastSortKey;
  } while (after !== undefined);
  return shows;
}

async function deliverShow(
  userId: string,
  showId: string,
  known: string | undefined,
  perShow: number,
  now: string,
  positionOf: (i: number) => number,
): Promise<QueueEntry[]> {
  let showChecked = false;
  return retryOptimistic(
    `fetching show ${showId}`,
    MAX_ATTEMPTS,
    async (attempt) => {
      const position = attempt === 0 ? known : await currentFetchPosition(userId, showId);
      const { episodes } = await listPublishedEpisodes(showId, now, perShow, { newerThan: position });
      if (episodes.length === 0) return [];
      if (!showChecked) {
        // Only shows with something new cost this read; a deleted show hands out nothing more.
        const show = await catalogReader.show(showId);
        if (show === undefined || show.deletedAt !== undefined) return [];
        showChecked = true;
      }
      const outcome = await handOut(userId, showId, position, episodes, now, positionOf);
      return outcome === 'position-moved' ? RETRY : outcome;
    },
    // Lost every race: another device is fetching this show right now and gets its episodes.
    () => [],
  );
}

/**
 * One transaction: the position moves to the newest episode and each episode not yet in the
 * queue joins it. An episode already there (queued by hand, or finished or removed) is
 * skipped, and the transaction tried again without it.
 */
async function handOut(
  userId: string,
  showId: string,
  from: string | undefined,
  episodes: Episode[],
  now: string,
  positionOf: (i: number) => number,
): Promise<QueueEntry[] | 'position-moved'> {
  const to = episodeSortKeyOf(episodes[0] as Episode);
  let candidates = episodes.map((episode, i) => fetchedQueueItem(episode, positionOf(i), now));
  for (;;) {
    const refused = await writeTogether([movePositionWrite(userId, showId, from, to, now), ...candidates.map((item) => newQueueEntryWrite(userId, item))]);
    if (refused === undefined) return candidates.map(queueEntryFromItem);
    if (refused[0]?.conditionFailed) return 'position-moved';
    const present = new Set(refused.flatMap((reason, i) => (i > 0 && reason.conditionFailed ? [i - 1] : [])));
    candidates = candidates.filter((_, i) => !present.has(i));
  }
}
