import { type Episode, getEpisode } from '../catalog/episode-store';
import { type Alongside, writeTogether } from '../shared/atomic-writes';
import { HttpProblem } from '../shared/problem';
import { RETRY, retryOptimistic } from '../shared/table-access';
import { episodeCopyOf, holderIndexAttributes, isActiveState, type QueueEntry, queueEntryFromItem, QUEUE_ENTITY, type QueueItem, type QueueState } from './queue-item';
import { getQueueItem, replaceQueueItem } from './queue-store';

export interface QueueChange {
  /** Sort number; without one, an entry that (re)joins the queue goes to its end. */
  position?: number | undefined;
  /** Without one: queued, or the current state if the entry is already queued or playing. */
  state?: QueueState | undefined;
  /** PUT adds an episode that is not in the queue; PATCH and DELETE only change existing entries. */
  add: boolean;
}

/** Optimistic writes retry this often when another device changes the same entry at the same moment. */
const MAX_ATTEMPTS = 5;

/**
 * The one way a queue entry changes (PUT, PATCH, DELETE and sync pushes). Only an episode that
 * is published can (re)join the queue; a change that changes nothing writes nothing, so devices
 * see no change in their feed.
 */
export async function changeQueueEntry(userId: string, episodeId: string, change: QueueChange, now: string, alongside?: Alongside<QueueEntry>): Promise<QueueEntry> {
  return retryOptimistic(`changing queue entry ${episodeId}`, MAX_ATTEMPTS, async () => {
    const current = await getQueueItem(userId, episodeId);
    if (current === undefined && !change.add) throw new HttpProblem('queue-entry-not-found', `Episode ${episodeId} is not in your queue.`);
    const state = change.state ?? (current && isActiveState(current.state) ? current.state : 'queued');
    const joining = isActiveState(state) && (current === undefined || !isActiveState(current.state));
    // A new entry, even one that starts finished or removed (a device's offline change), copies its episode.
    const episode = joining || current === undefined ? await publishedEpisode(episodeId, now) : undefined;
    const position = change.position ?? (joining || current === undefined ? Date.parse(now) : current.position);
    if (current !== undefined && episode === undefined && current.state === state && current.position === position) {
      const unchanged = queueEntryFromItem(current);
      await writeTogether([], alongside?.(unchanged));
      return unchanged;
    }

    const next = nextItem(current, episode, episodeId, state, position, now);
    const index = isActiveState(state) ? holderIndexAttributes(userId, episodeId) : undefined;
    const entry = queueEntryFromItem(next);
    return (await replaceQueueItem(userId, next, index, current, alongside?.(entry))) ? entry : RETRY;
  });
}

async function publishedEpisode(episodeId: string, now: string): Promise<Episode> {
  const episode = await getEpisode(episodeId, true);
  if (episode === undefined || episode.deletedAt !== undefined || episode.publishedAt > now) {
    throw new HttpProblem('episode-not-found', `There is no published episode ${episodeId}.`);
  }
  return episode;
}

/** A new entry, or the current one moved or in a new state; joining copies the episode afresh. */
function nextItem(current: QueueItem | undefined, episode: Episode | undefined, episodeId: string, state: QueueState, position: number, now: string): QueueItem {
  if (episode !== undefined) {
    return {
      entity: QUEUE_ENTITY,
      episodeId,
      showId: episode.showId,
      position,
      state,
      addedAt: current?.addedAt ?? now,
      updatedAt: now,
      episode: episodeCopyOf(episode),
      contentUpdatedAt: episode.updatedAt,
    };
  }
  if (current === undefined) throw new Error('a new queue entry needs its episode');
  return { ...current, position, state, updatedAt: now };
}

/** A queue entry written by a fetch: new, queued, at the given position. */
export function fetchedQueueItem(episode: Episode, position: number, now: string): QueueItem {
  return nextItem(undefined, episode, episode.episodeId, 'queued', position, now);
}
